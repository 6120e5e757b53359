package io.hostql.tables.process;

import io.hostql.sql.table.RowSink;
import io.hostql.tables.TableTests.Child;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Helpers shared by the process-area tests: child processes, and a row recorder for parser tests. */
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

    /** Polls until cond holds (a child needs a moment to exec), at most 5 s. */
    static void await(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!cond.getAsBoolean() && System.nanoTime() < end) Thread.sleep(20);
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
