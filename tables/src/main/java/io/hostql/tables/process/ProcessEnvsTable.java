package io.hostql.tables.process;

import static io.hostql.sql.table.ColumnOption.INDEX;
import static io.hostql.sql.table.ColumnOption.OPTIMIZED;

import io.hostql.os.proc.ProcFs;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.util.Arrays;

/** process_envs: the environment each process started with (/proc/PID/environ; other users' need root). */
public final class ProcessEnvsTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("process_envs",
                    "A key/value table of environment variables for each process.")
            .integer("pid", INDEX, OPTIMIZED).text("key").text("value")
            .build();

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        ProcFs fs = new ProcFs();
        for (long pid : QueriedPids.of(fs, ctx)) {
            byte[] env = fs.read(ProcFs.cpath(ProcFs.pidDir(pid), "environ"));
            if (env != null) parse(pid, env, rows);
        }
    }

    /** NUL-separated KEY=VALUE entries; like osquery, an empty entry ends the list. Bytes stay raw (not always UTF-8). */
    static void parse(long pid, byte[] env, RowSink rows) {
        int i = 0;
        while (i < env.length && env[i] != 0) {
            int end = ProcFs.indexOf(env, (byte) 0, i, env.length);
            if (end < 0) end = env.length;
            int eq = ProcFs.indexOf(env, (byte) '=', i, end);
            byte[] key = Arrays.copyOfRange(env, i, eq < 0 ? end : eq);
            byte[] value = eq < 0 ? new byte[0] : Arrays.copyOfRange(env, eq + 1, end);
            rows.add().set("pid", pid).set("key", key).set("value", value);
            i = end + 1;
        }
    }
}
