package io.hostql.tables.network;

import static io.hostql.sql.table.ColumnType.INTEGER;
import static io.hostql.sql.table.ColumnType.TEXT;
import com.sun.jna.Memory;
import io.hostql.os.Libc;
import io.hostql.os.sysfs.SysFiles;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * interface_details: one row per link from getifaddrs(3) (its order and flags), with MTU, flags and 64-bit counters
 * from /sys/class/net/IF, and link speed and bus address from the SIOCETHTOOL ioctl, as osquery reads them.
 */
public final class InterfaceDetailsTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("interface_details",
                    "Detailed information and stats of network interfaces.")
            .text("interface").text("mac").integer("type").integer("mtu").integer("metric").integer("flags")
            .bigint("ipackets").bigint("opackets").bigint("ibytes").bigint("obytes").bigint("ierrors")
            .bigint("oerrors").bigint("idrops").bigint("odrops").bigint("collisions").bigint("last_change")
            .bigint("link_speed").text("pci_slot")
            .otherPlatform("windows", TEXT, "friendly_name", "description", "manufacturer", "connection_id", "connection_status")
            .otherPlatform("windows", INTEGER, "enabled", "physical_adapter", "speed").otherPlatform("windows", TEXT, "service")
            .otherPlatform("windows", INTEGER, "dhcp_enabled").otherPlatform("windows", TEXT, "dhcp_lease_expires",
                    "dhcp_lease_obtained", "dhcp_server", "dns_domain", "dns_domain_suffix_search_order", "dns_host_name",
                    "dns_server_search_order")
            .build();

    // Flags netlink reports from a gated copy; osquery takes these from sysfs (dev->flags) instead.
    private static final long SYSFS_FLAGS = 0x1 | 0x4 | 0x20 | 0x80 | 0x100 | 0x200 | 0x1000 | 0x2000 | 0x4000 | 0x8000;
    private static final String[][] STATS = {{"ipackets", "rx_packets"}, {"opackets", "tx_packets"},
            {"ibytes", "rx_bytes"}, {"obytes", "tx_bytes"}, {"ierrors", "rx_errors"}, {"oerrors", "tx_errors"},
            {"idrops", "rx_dropped"}, {"odrops", "tx_dropped"}, {"collisions", "collisions"}};
    private static final long SIOCETHTOOL = 0x8946;
    private static final int ETHTOOL_GSET = 0x1, ETHTOOL_GDRVINFO = 0x3;
    private static final int IFREQ_SIZE = 40, ETHTOOL_CMD_SIZE = 44, ETHTOOL_DRVINFO_SIZE = 196, BUS_INFO_OFFSET = 100;

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        boolean stats = false;
        for (String[] s : STATS) stats |= ctx.isUsed(s[0]);
        boolean speed = ctx.isUsed("link_speed"), bus = ctx.isUsed("pci_slot");
        int fd = (speed || bus) ? Libc.socket(Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0) : -1;
        Memory ifr = new Memory(IFREQ_SIZE), buf = new Memory(ETHTOOL_DRVINFO_SIZE);
        try {
            for (IfAddrs.Entry e : IfAddrs.read()) {
                if (!e.isLink()) continue;
                Path sys = Path.of("/sys/class/net", e.name());
                RowSink.Row r = rows.add().set("interface", e.name());
                r.set("mac", mac(e.addr() == null ? null : e.addr().llAddr()));
                Long type = e.addr() != null ? Long.valueOf(e.addr().llHatype()) : sysLong(sys.resolve("type"));
                r.set("type", type == null ? 0L : type);
                Long mtu = sysLong(sys.resolve("mtu"));
                r.set("mtu", mtu == null ? 0L : mtu);
                r.set("metric", 0L); // SIOCGIFMETRIC always answers 0 on Linux
                long flags = e.flags() & ~SYSFS_FLAGS;
                Long sysFlags = sysLong(sys.resolve("flags"));
                if (sysFlags != null) flags |= sysFlags & SYSFS_FLAGS;
                r.set("flags", flags);
                if (stats) {
                    for (String[] s : STATS) r.set(s[0], sysLong(sys.resolve("statistics").resolve(s[1])));
                }
                r.set("last_change", -1L); // Linux keeps no time of the last link change
                if (fd >= 0) {
                    setName(ifr, e.name());
                    ifr.setPointer(16, buf);
                    if (speed) {
                        long v = 0;
                        buf.clear();
                        buf.setInt(0, ETHTOOL_GSET);
                        if (Libc.ioctl(fd, SIOCETHTOOL, ifr) >= 0) {
                            long s = (buf.getShort(12) & 0xffffL) | (buf.getShort(28) & 0xffffL) << 16;
                            if (s != 0xffffffffL) v = s;
                        }
                        r.set("link_speed", v);
                    }
                    if (bus) {
                        buf.clear();
                        buf.setInt(0, ETHTOOL_GDRVINFO);
                        r.set("pci_slot", Libc.ioctl(fd, SIOCETHTOOL, ifr) >= 0 ? cString(buf, BUS_INFO_OFFSET, 32) : "-1");
                    }
                }
            }
        } finally {
            if (fd >= 0) Libc.close(fd);
            ifr.close();
            buf.close();
        }
    }

    /** The first 6 bytes of the hardware address (zero-padded), as SIOCGIFHWADDR gives osquery. */
    static String mac(byte[] addr) {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) sb.append(':');
            int b = addr != null && i < addr.length ? addr[i] & 0xff : 0;
            sb.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return sb.toString();
    }

    private static void setName(Memory ifr, String name) {
        ifr.clear();
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        ifr.write(0, b, 0, Math.min(b.length, 15));
    }

    private static String cString(Memory m, long off, int max) {
        int n = 0;
        while (n < max && m.getByte(off + n) != 0) n++;
        return new String(m.getByteArray(off, n), StandardCharsets.UTF_8);
    }

    /** A sysfs number (decimal or 0x hex); null if unreadable (device gone, or an attribute the driver refuses). */
    private static Long sysLong(Path p) {
        String s = SysFiles.read(p);
        if (s == null) return null;
        try {
            return s.startsWith("0x") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
