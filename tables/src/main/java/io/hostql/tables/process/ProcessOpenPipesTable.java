package io.hostql.tables.process;

import io.hostql.os.Libc;
import io.hostql.os.proc.ProcFs;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * process_open_pipes: every descriptor that is an anonymous pipe ("pipe:[inode]") or a named pipe
 * (a FIFO on a file system), paired with the descriptors at the other end, as osquery pairs them:
 * one row per (end, partner) where the partner is a different descriptor on the same inode with a
 * different mode (or a read-write one); an end nobody else holds gives one row with no partner.
 * mode is "r", "w" or "rw" from the /proc/PID/fd link's own permission bits, as osquery reads them.
 */
public final class ProcessOpenPipesTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("process_open_pipes", "Pipes and partner processes for each process.")
            .bigint("pid").bigint("fd").text("mode").bigint("inode").text("type")
            .bigint("partner_pid").bigint("partner_fd").text("partner_mode")
            .build();

    private static final byte[] PIPE = "pipe:[".getBytes(StandardCharsets.US_ASCII);

    record End(long pid, long fd, String mode, long inode, String type) {}

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        ProcFs fs = new ProcFs(4096);
        long[] st = new long[18];
        List<End> ends = new ArrayList<>();
        Map<Long, List<End>> byInode = new HashMap<>();
        for (long pid : ProcFs.allPids()) { // partners can be any process: always read them all
            long[] fds = ProcFs.fds(pid);
            if (fds == null) continue;
            byte[] fdDir = ProcFs.join(ProcFs.pidDir(pid), "fd/");
            for (long fd : fds) {
                byte[] fdPath = ProcFs.cpath(fdDir, Long.toString(fd));
                byte[] target = fs.readLink(fdPath);
                if (target == null) continue;
                long inode = ProcFs.bracketedInode(target, PIPE);
                String type = "anonymous";
                if (inode < 0) {
                    if (!ProcessOpenFilesTable.isFile(target)) continue;
                    // stat through the fd link: the FIFO itself, even if it was renamed or is in another mount namespace
                    if (Libc.stat(fdPath, st) != 0 || (modeOf(st) & Libc.S_IFMT) != Libc.S_IFIFO) continue;
                    inode = st[1];
                    type = "named";
                }
                End e = new End(pid, fd, linkMode(fdPath, st), inode, type);
                ends.add(e);
                byInode.computeIfAbsent(inode, k -> new ArrayList<>()).add(e);
            }
        }
        for (End e : ends) {
            List<End> same = byInode.get(e.inode());
            if (same.size() == 1) {
                row(rows, e);
                continue;
            }
            for (End p : same) {
                if (p == e) continue;
                if (p.mode().equals(e.mode()) && !e.mode().equals("rw")) continue; // two readers (or writers) are no pair
                row(rows, e).set("partner_pid", p.pid()).set("partner_fd", p.fd()).set("partner_mode", p.mode());
            }
        }
    }

    private static RowSink.Row row(RowSink rows, End e) {
        return rows.add().set("pid", e.pid()).set("fd", e.fd()).set("mode", e.mode()).set("inode", e.inode()).set("type", e.type());
    }

    /** st_mode is the low half of word 3 of struct stat on x86_64 (st_nlink is word 2); aarch64 puts it in word 2's low half. */
    private static int modeOf(long[] st) {
        return com.sun.jna.Platform.isARM() ? (int) st[2] : (int) st[3];
    }

    /** The fd link's permission bits (lstat): the kernel sets r and w from the open mode. "-" if it is gone. */
    private static String linkMode(byte[] fdPath, long[] st) {
        if (Libc.lstat(fdPath, st) != 0) return "-";
        int m = modeOf(st);
        String out = "";
        if ((m & 0444) != 0) out += "r";
        if ((m & 0222) != 0) out += "w";
        return out;
    }
}
