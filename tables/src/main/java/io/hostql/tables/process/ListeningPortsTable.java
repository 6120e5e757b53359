package io.hostql.tables.process;

import io.hostql.os.Libc;
import io.hostql.os.proc.ProcFs;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.util.List;

/**
 * listening_ports: osquery's rule over process_open_sockets: IPv4/IPv6 sockets with no remote port
 * (listening TCP, bound UDP/raw), named unix sockets, and packet sockets.
 */
public final class ListeningPortsTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("listening_ports",
                    "Processes with listening (bound) network sockets/ports.")
            .integer("pid").integer("port").integer("protocol").integer("family").text("address").bigint("fd")
            .bigint("socket").text("path").text("net_namespace")
            .build();

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        NetSockets.Scan scan = NetSockets.scan(new ProcFs(), ProcFs.allPids());
        for (NetSockets.Socket s : scan.sockets()) {
            boolean inet = s.family() == Libc.AF_INET || s.family() == Libc.AF_INET6;
            if (s.family() == Libc.AF_UNIX && s.path().length == 0) continue; // anonymous
            if (inet && s.remotePort() != 0) continue; // connected
            List<NetSockets.Holder> holders = scan.holders().get(s.inode());
            if (holders == null) {
                emit(rows, s, -1, -1);
            } else {
                for (NetSockets.Holder h : holders) emit(rows, s, h.pid(), h.fd());
            }
        }
    }

    private static void emit(RowSink rows, NetSockets.Socket s, long pid, long fd) {
        RowSink.Row r = rows.add().set("pid", pid).set("protocol", (long) s.protocol()).set("family", (long) s.family())
                .set("fd", fd).set("net_namespace", s.netNamespace());
        if (s.family() == Libc.AF_UNIX) {
            // osquery reports port and socket 0 for unix sockets, and no address.
            r.set("port", 0L).set("path", s.path()).set("socket", 0L);
        } else {
            r.set("address", s.localAddress()).set("port", (long) s.localPort()).set("socket", s.inode());
        }
    }
}
