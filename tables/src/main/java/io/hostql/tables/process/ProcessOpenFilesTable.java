package io.hostql.tables.process;

import static io.hostql.sql.table.ColumnOption.INDEX;

import io.hostql.os.proc.ProcFs;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.charset.StandardCharsets;

/** process_open_files: descriptors that name files (/proc/PID/fd links), without sockets, pipes and anonymous inodes. */
public final class ProcessOpenFilesTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("process_open_files", "File descriptors for each process.")
            .bigint("pid", INDEX).bigint("fd").text("path")
            .build();

    private static final byte[][] NOT_FILES = {
        "socket:".getBytes(StandardCharsets.US_ASCII),
        "anon_inode:".getBytes(StandardCharsets.US_ASCII),
        "pipe:".getBytes(StandardCharsets.US_ASCII),
    };

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        ProcFs fs = new ProcFs();
        for (long pid : QueriedPids.of(fs, ctx)) {
            long[] fds = ProcFs.fds(pid); // other users' processes need root
            if (fds == null) continue;
            byte[] fdDir = ProcFs.join(ProcFs.pidDir(pid), "fd/");
            for (long fd : fds) {
                byte[] target = fs.readLink(ProcFs.cpath(fdDir, Long.toString(fd)));
                if (target == null || !isFile(target)) continue; // closed meanwhile, or not a file
                rows.add().set("pid", pid).set("fd", fd).set("path", target);
            }
        }
    }

    static boolean isFile(byte[] target) {
        for (byte[] prefix : NOT_FILES) if (ProcFs.startsWith(target, 0, target.length, prefix)) return false;
        return true;
    }
}
