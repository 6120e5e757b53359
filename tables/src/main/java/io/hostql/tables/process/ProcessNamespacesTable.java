package io.hostql.tables.process;

import static io.hostql.sql.table.ColumnOption.INDEX;
import static io.hostql.sql.table.ColumnOption.OPTIMIZED;

import io.hostql.os.proc.ProcFs;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.charset.StandardCharsets;

/**
 * process_namespaces: the inode of each of a process's namespaces, from the /proc/PID/ns links
 * ("net:[4026531833]" gives "4026531833"), as osquery. A namespace the kernel lacks or a link that
 * cannot be read (another user's process, off root) leaves its column NULL.
 */
public final class ProcessNamespacesTable implements Table {
    private static final String[] KINDS = {"cgroup", "ipc", "mnt", "net", "pid", "user", "uts"};

    private static final TableSchema SCHEMA = TableSchema.builder("process_namespaces", "Linux namespaces for processes running on the host system.")
            .integer("pid", INDEX, OPTIMIZED).text("cgroup_namespace").text("ipc_namespace").text("mnt_namespace")
            .text("net_namespace").text("pid_namespace").text("user_namespace").text("uts_namespace")
            .build();

    private static final byte[][] PREFIXES = new byte[KINDS.length][];

    static {
        for (int i = 0; i < KINDS.length; i++) PREFIXES[i] = (KINDS[i] + ":[").getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        ProcFs fs = new ProcFs(4096);
        for (long pid : QueriedPids.of(fs, ctx)) {
            byte[] nsDir = ProcFs.join(ProcFs.pidDir(pid), "ns/");
            RowSink.Row row = null;
            for (int i = 0; i < KINDS.length; i++) {
                byte[] link = fs.readLink(ProcFs.cpath(nsDir, KINDS[i]));
                long inode = link == null ? -1 : ProcFs.bracketedInode(link, PREFIXES[i]);
                if (inode < 0) continue;
                if (row == null) row = rows.add().set("pid", pid);
                row.set(KINDS[i] + "_namespace", Long.toString(inode));
            }
        }
    }
}
