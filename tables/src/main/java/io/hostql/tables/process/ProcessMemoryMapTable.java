package io.hostql.tables.process;

import static io.hostql.sql.table.ColumnOption.INDEX;
import static io.hostql.sql.table.ColumnOption.OPTIMIZED;

import io.hostql.os.proc.ProcFs;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.charset.StandardCharsets;

/** process_memory_map: /proc/PID/maps, one row per mapping. Use WHERE pid = N: a full scan reads every process's maps. */
public final class ProcessMemoryMapTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("process_memory_map", "Process memory mapped files and pseudo device/regions.")
            .integer("pid", INDEX, OPTIMIZED).text("start").text("end").text("permissions").bigint("offset")
            .text("device").integer("inode").text("path").integer("pseudo")
            .build();

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        ProcFs fs = new ProcFs(64 * 1024);
        for (long pid : QueriedPids.of(fs, ctx)) {
            byte[] maps = fs.read(ProcFs.cpath(ProcFs.pidDir(pid), "maps"));
            if (maps != null) parse(pid, maps, rows);
        }
    }

    /** "start-end perms offset dev inode [path]" per line; the path is the rest of the line (it may hold spaces). */
    static void parse(long pid, byte[] b, RowSink rows) {
        int[] tok = new int[10];
        int i = 0;
        while (i < b.length) {
            int eol = ProcFs.indexOf(b, (byte) '\n', i, b.length);
            if (eol < 0) eol = b.length;
            int p = i;
            int n = 0;
            while (n < 5) {
                while (p < eol && b[p] == ' ') p++;
                if (p >= eol) break;
                int start = p;
                while (p < eol && b[p] != ' ') p++;
                tok[2 * n] = start;
                tok[2 * n + 1] = p;
                n++;
            }
            if (n == 5) {
                int dash = ProcFs.indexOf(b, (byte) '-', tok[0], tok[1]);
                if (dash > 0) {
                    byte[] path = ProcFs.trimmed(b, p, eol);
                    long inode = ProcFs.parseLong(b, tok[8], tok[9]);
                    long offset = ProcFs.parseHex(b, tok[4], tok[5]);
                    rows.add().set("pid", pid)
                            .set("start", "0x" + ascii(b, tok[0], dash))
                            .set("end", "0x" + ascii(b, dash + 1, tok[1]))
                            .set("permissions", ascii(b, tok[2], tok[3]))
                            .set("offset", offset)
                            .set("device", ascii(b, tok[6], tok[7]))
                            .set("inode", inode == Long.MIN_VALUE ? null : inode)
                            .set("path", path)
                            .set("pseudo", inode == 0 && path.length > 0 ? 1L : 0L);
                }
            }
            i = eol + 1;
        }
    }

    private static String ascii(byte[] b, int from, int to) {
        return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }
}
