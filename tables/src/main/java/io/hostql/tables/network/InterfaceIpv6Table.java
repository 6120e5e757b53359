package io.hostql.tables.network;

import io.hostql.os.sysfs.SysFiles;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Path;

/**
 * interface_ipv6: per interface (as interface_details lists them), the IPv6 sysctls osquery reads
 * under /proc/sys/net/ipv6/conf. As osquery: a value that cannot be read is -1; redirect_accept
 * combines the interface's accept_redirects with "all"'s (AND when forwarding, OR otherwise), and
 * rtadv_accept is 1 for accept_ra = 2, else accept_ra and not forwarding (the kernel's own rules).
 */
public final class InterfaceIpv6Table implements Table {
    static final Path CONF = Path.of("/proc/sys/net/ipv6/conf");

    private static final TableSchema SCHEMA = TableSchema.builder("interface_ipv6", "IPv6 configuration and stats of network interfaces.")
            .text("interface").integer("hop_limit").integer("forwarding_enabled").integer("redirect_accept").integer("rtadv_accept")
            .build();

    private final Path conf;

    public InterfaceIpv6Table() {
        this(CONF);
    }

    InterfaceIpv6Table(Path conf) {
        this.conf = conf;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        for (IfAddrs.Entry e : IfAddrs.read()) {
            if (e.isLink()) row(e.name(), rows);
        }
    }

    void row(String iface, RowSink rows) {
        int forwarding = value(iface, "forwarding");
        int redirect = value("all", "accept_redirects");
        int ifaceRedirect = value(iface, "accept_redirects");
        int rtadv = value(iface, "accept_ra");
        rows.add().set("interface", iface)
                .set("hop_limit", (long) value(iface, "hop_limit"))
                .set("forwarding_enabled", (long) forwarding)
                .set("redirect_accept", forwarding != 0 ? bool(redirect != 0 && ifaceRedirect != 0) : bool(redirect != 0 || ifaceRedirect != 0))
                .set("rtadv_accept", rtadv == 2 ? 1L : bool(rtadv != 0 && forwarding == 0));
    }

    private int value(String iface, String name) {
        Long v = SysFiles.readLong(conf.resolve(iface).resolve(name));
        return v == null || v != v.intValue() ? -1 : v.intValue();
    }

    private static long bool(boolean b) {
        return b ? 1L : 0L;
    }
}
