package io.hostql.daemon.schedule;

import io.hostql.sql.Database;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * What one query run costs, measured on its own thread as osquery reports it (osquery_schedule's
 * columns, a distributed write's {@code stats}): wall, user and system milliseconds, and the most
 * SQLite memory it held above what was in use when it started.
 */
final class RunCost {
    record Measured(long wallMs, long userMs, long systemMs, long memoryBytes) {}

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    private final long wall0 = System.nanoTime(), user0 = CPU.getCurrentThreadUserTime(), cpu0 = CPU.getCurrentThreadCpuTime();
    private final long mem0;

    private RunCost() {
        Database.sqliteMemoryHighwater(true);
        mem0 = Database.sqliteMemoryUsed();
    }

    static RunCost start() {
        return new RunCost();
    }

    Measured end() {
        long wallMs = (System.nanoTime() - wall0) / 1_000_000;
        long userMs = (CPU.getCurrentThreadUserTime() - user0) / 1_000_000;
        long sysMs = Math.max(0, (CPU.getCurrentThreadCpuTime() - cpu0) / 1_000_000 - userMs);
        return new Measured(wallMs, userMs, sysMs, Math.max(0, Database.sqliteMemoryHighwater(false) - mem0));
    }
}
