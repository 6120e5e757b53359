package io.hostql.tables.process;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;

import io.hostql.os.proc.ProcFs;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.util.List;

/**
 * process_open_sockets: every socket of every network namespace in use, with the process and descriptor
 * holding it. A socket held by several descriptors gets a row for each; one held by none (or by a process
 * this user cannot inspect) gets pid and fd -1, as osquery.
 */
public final class ProcessOpenSocketsTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("process_open_sockets",
                    "Processes which have open network sockets on the system.")
            .integer("pid", ADDITIONAL).bigint("fd").bigint("socket").integer("family").integer("protocol")
            .text("local_address").text("remote_address").integer("local_port").integer("remote_port")
            .text("path").text("state").text("net_namespace")
            .build();

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        ProcFs fs = new ProcFs();
        // pid = -1 asks for the unowned sockets too, which needs every process (as osquery).
        List<Long> wanted = QueriedPids.requested(ctx);
        boolean pidFilter = wanted != null && !wanted.contains(-1L);
        NetSockets.Scan scan = NetSockets.scan(fs, pidFilter ? QueriedPids.of(fs, ctx) : ProcFs.allPids());
        for (NetSockets.Socket s : scan.sockets()) {
            List<NetSockets.Holder> holders = scan.holders().get(s.inode());
            if (holders != null) {
                for (NetSockets.Holder h : holders) emit(rows, s, h.pid(), h.fd());
            } else if (!pidFilter) {
                emit(rows, s, -1, -1);
            }
        }
    }

    private static void emit(RowSink rows, NetSockets.Socket s, long pid, long fd) {
        rows.add().set("pid", pid).set("fd", fd).set("socket", s.inode()).set("family", (long) s.family())
                .set("protocol", (long) s.protocol()).set("local_address", s.localAddress())
                .set("remote_address", s.remoteAddress()).set("local_port", (long) s.localPort())
                .set("remote_port", (long) s.remotePort()).set("path", s.path()).set("state", s.state())
                .set("net_namespace", s.netNamespace());
    }
}
