package io.hostql.tables.network;

import static io.hostql.sql.table.ColumnType.TEXT;
import io.hostql.os.Libc;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.util.List;
import java.util.Map;

/** interface_addresses: every IPv4 and IPv6 address of every interface, from getifaddrs(3), as osquery lists them. */
public final class InterfaceAddressesTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("interface_addresses",
                    "Network interfaces and relevant metadata.")
            .text("interface").text("address").text("mask").text("broadcast").text("point_to_point").text("type")
            .otherPlatform("windows", TEXT, "friendly_name")
            .build();

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        List<IfAddrs.Entry> entries = IfAddrs.read();
        Map<Integer, String> names = IfAddrs.indexNames(entries);
        for (IfAddrs.Entry e : entries) {
            if (e.addr() == null || (e.addr().family() != Libc.AF_INET && e.addr().family() != Libc.AF_INET6)) continue;
            RowSink.Row r = rows.add().set("interface", e.name()).set("address", IfAddrs.text(e.addr(), names));
            if (e.netmask() != null) r.set("mask", IfAddrs.text(e.netmask(), names));
            // glibc puts the broadcast or the peer address in the same union; the interface flag says which.
            if (e.broadOrDst() != null) {
                r.set((e.flags() & IfAddrs.IFF_BROADCAST) != 0 ? "broadcast" : "point_to_point",
                        IfAddrs.text(e.broadOrDst(), names));
            }
            // Linux has no per-address dhcp/manual marker; osquery reports "unknown" too.
            r.set("type", "unknown");
        }
    }
}
