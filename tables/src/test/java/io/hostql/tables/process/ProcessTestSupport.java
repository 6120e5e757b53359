package io.hostql.tables.process;

import io.hostql.sql.table.Constraint;
import io.hostql.sql.table.ConstraintOp;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Helpers shared by the process-area tests: child processes, and calling a table directly. */
final class ProcessTestSupport {
    private ProcessTestSupport() {}

    static long selfPid() {
        return ProcessHandle.current().pid();
    }

    /** Starts a child that lives until destroyed; the caller closes it. */
    static Child start(Path cwd, Map<String, String> env, String... command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        if (cwd != null) pb.directory(cwd.toFile());
        if (env != null) {
            pb.environment().clear();
            pb.environment().putAll(env);
        }
        return new Child(pb.start());
    }

    record Child(Process process) implements AutoCloseable {
        long pid() {
            return process.pid();
        }

        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Polls until cond holds (a child needs a moment to exec), at most 5 s. */
    static void await(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!cond.getAsBoolean() && System.nanoTime() < end) Thread.sleep(20);
    }

    /** Calls a table's generator directly, with the given pid = ... constraints and every column used. */
    static List<Map<String, Object>> generate(Table table, Object... pids) throws Exception {
        Map<String, List<Constraint>> cons = new HashMap<>();
        if (pids.length > 0) {
            List<Constraint> list = new ArrayList<>();
            for (Object p : pids) list.add(new Constraint(ConstraintOp.EQ, p));
            cons.put("pid", list);
        }
        return generate(table, new QueryContext(table.schema(), cons, -1L));
    }

    static List<Map<String, Object>> generate(Table table, QueryContext ctx) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        table.generate(ctx, () -> {
            Map<String, Object> row = new HashMap<>();
            out.add(row);
            return new RowSink.Row() {
                @Override
                public RowSink.Row set(String column, Object value) {
                    if (table.schema().indexOf(column) < 0) throw new AssertionError("no column " + column);
                    row.put(column, value instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : value);
                    return this;
                }
            };
        });
        return out;
    }

    /** A RowSink.Row that records into a map, for parser tests. */
    static RowSink.Row recorder(Map<String, Object> into) {
        return new RowSink.Row() {
            @Override
            public RowSink.Row set(String column, Object value) {
                into.put(column, value instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : value);
                return this;
            }
        };
    }
}
