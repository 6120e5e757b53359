package io.hostql.tables.network;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;

import io.hostql.os.Libc;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import io.hostql.tables.os.Inet;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * routes: every IPv4 and IPv6 route of every routing table (main, local, ...), from an RTM_GETROUTE netlink dump as
 * osquery reads it. netmask is the prefix length; type maps the route type (unicast is osquery's "gateway").
 */
public final class RoutesTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("routes", "The active route table for the host system.")
            .text("destination").integer("netmask").text("gateway").text("source").integer("flags").text("interface")
            .integer("mtu").integer("metric").text("type", ADDITIONAL).integer("hopcount")
            .build();

    private static final int RTM_GETROUTE = 26, RTM_NEWROUTE = 24;
    private static final int RTA_DST = 1, RTA_OIF = 4, RTA_GATEWAY = 5, RTA_PRIORITY = 6, RTA_PREFSRC = 7,
            RTA_METRICS = 8, RTA_MULTIPATH = 9, RTA_VIA = 18;
    private static final int RTAX_MTU = 2, RTAX_HOPLIMIT = 10;

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        Map<Integer, String> names = new HashMap<>();
        for (ByteBuffer m : Netlink.dump(RTM_GETROUTE, new byte[12])) { // struct rtmsg, AF_UNSPEC: every family
            if ((m.getShort(4) & 0xffff) != RTM_NEWROUTE) continue;
            int family = m.get(16) & 0xff;
            if (family != Libc.AF_INET && family != Libc.AF_INET6) continue; // multicast (ipmr) caches and the like
            int dstLen = m.get(17) & 0xff;
            int rtmType = m.get(23) & 0xff;
            String destination = null, gateway = null, source = null, iface = null;
            long metric = 0, mtu = 0, hopcount = 0;
            int end = Math.min(m.getInt(0), m.capacity());
            for (int a = 28; a + 4 <= end; ) {
                int len = m.getShort(a) & 0xffff, type = m.getShort(a + 2) & 0x3fff;
                if (len < 4 || a + len > end) break;
                int data = a + 4, dlen = len - 4;
                switch (type) {
                    case RTA_DST -> destination = Inet.ntop(m.array(), data, dlen);
                    case RTA_GATEWAY -> gateway = Inet.ntop(m.array(), data, dlen);
                    case RTA_VIA -> gateway = dlen > 2 ? Inet.ntop(m.array(), data + 2, dlen - 2) : null;
                    case RTA_PREFSRC -> source = Inet.ntop(m.array(), data, dlen);
                    case RTA_OIF -> iface = name(m.getInt(data), names);
                    case RTA_PRIORITY -> metric = m.getInt(data) & 0xffffffffL;
                    case RTA_METRICS -> {
                        for (int x = data; x + 4 <= data + dlen; ) {
                            int xl = m.getShort(x) & 0xffff, xt = m.getShort(x + 2) & 0x3fff;
                            if (xl < 4 || x + xl > data + dlen) break;
                            if (xt == RTAX_MTU && xl >= 8) mtu = m.getInt(x + 4) & 0xffffffffL;
                            if (xt == RTAX_HOPLIMIT && xl >= 8) hopcount = m.getInt(x + 4) & 0xffffffffL;
                            x += Netlink.align(xl);
                        }
                    }
                    case RTA_MULTIPATH -> {
                        // One row per route: the first next hop stands for it.
                        if (dlen >= 8 && iface == null) {
                            iface = name(m.getInt(data + 4), names);
                            int nhLen = Math.min(m.getShort(data) & 0xffff, dlen);
                            for (int x = data + 8; x + 4 <= data + nhLen; ) {
                                int xl = m.getShort(x) & 0xffff, xt = m.getShort(x + 2) & 0x3fff;
                                if (xl < 4 || x + xl > data + nhLen) break;
                                if (xt == RTA_GATEWAY && gateway == null) gateway = Inet.ntop(m.array(), x + 4, xl - 4);
                                if (xt == RTA_VIA && gateway == null && xl > 6) gateway = Inet.ntop(m.array(), x + 6, xl - 6);
                                x += Netlink.align(xl);
                            }
                        }
                    }
                    default -> { }
                }
                a += Netlink.align(len);
            }
            if (destination == null) destination = family == Libc.AF_INET ? "0.0.0.0" : "::";
            rows.add().set("destination", destination).set("netmask", dstLen).set("gateway", gateway)
                    .set("source", source).set("flags", m.getInt(24) & 0xffffffffL).set("interface", iface)
                    .set("mtu", mtu).set("metric", metric).set("type", type(rtmType)).set("hopcount", hopcount);
        }
    }

    private static String type(int rtmType) {
        return switch (rtmType) {
            case 1 -> "gateway"; // RTN_UNICAST
            case 2 -> "local";
            case 3 -> "broadcast";
            case 4 -> "anycast";
            default -> "other";
        };
    }

    private static String name(int ifindex, Map<Integer, String> cache) {
        return cache.computeIfAbsent(ifindex, i -> {
            byte[] b = new byte[16];
            return Libc.if_indextoname(i, b) == null ? null : Libc.cString(b, 0, b.length);
        });
    }
}
