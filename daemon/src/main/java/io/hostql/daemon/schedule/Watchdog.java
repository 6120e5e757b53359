package io.hostql.daemon.schedule;

import io.hostql.config.flags.WatchdogFlags;
import io.hostql.sql.Database;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.locks.LockSupport;

/**
 * osquery's watchdog limits, enforced on the running scheduled query inside the daemon rather than
 * by killing a worker process: a query that gains more than the memory limit, or keeps the CPU
 * above the utilization limit for longer than the latency limit, is stopped (SQLite interrupts it
 * at its next step) and denylisted, and the daemon goes on with the next query. Checked from
 * SQLite's progress handler (every 1000 VM steps, on the query's thread: a memory bomb is caught
 * within milliseconds) and once a second by a sampler thread (for time spent inside a table's
 * generator, where SQLite takes no steps).
 *
 * <p>Levels as osquery (watcher.cpp): 0 = 200 MB, 10% x hardware threads, 12 s; 1 = 100 MB, 5%,
 * 6 s; -1 = disabled. watchdog_memory_limit / _utilization_limit / _latency_limit override them;
 * nothing is enforced during the first watchdog_delay seconds, as in osquery.
 */
final class Watchdog implements AutoCloseable {
    record Limits(long memoryBytes, double cpuFractionOfOneCore, long latencyMillis, boolean enabled) {
        static Limits of(long level, long memoryMb, long utilizationPercent, long latencySeconds) {
            if (level < 0) return new Limits(Long.MAX_VALUE, Double.MAX_VALUE, Long.MAX_VALUE, false);
            boolean restrictive = level >= 1;
            long mb = memoryMb > 0 ? memoryMb : restrictive ? 100 : 200;
            long pct = utilizationPercent > 0 ? utilizationPercent : restrictive ? 5 : 10;
            long lat = latencySeconds > 0 ? latencySeconds : restrictive ? 6 : 12;
            int threads = Runtime.getRuntime().availableProcessors();
            return new Limits(mb * 1024 * 1024, pct / 100.0 * threads, lat * 1000, true);
        }
    }

    /** Why a query was stopped, in osquery's words. */
    private volatile String reason;
    private final Limits limits;
    private final long enforceAfterNanos;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Thread sampler;
    private volatile QueryEngine engine;

    // The running query (written by the query thread, read by the sampler).
    private volatile boolean running;
    private volatile long threadId;
    private volatile long memoryBase;
    private volatile long windowStartWall, windowStartCpu, overSinceWall = -1;
    private int steps;

    Watchdog(Limits limits, long delaySeconds) {
        this.limits = limits;
        this.enforceAfterNanos = System.nanoTime() + delaySeconds * 1_000_000_000L;
        this.sampler = new Thread(this::sample, "hostql-watchdog");
        sampler.setDaemon(true);
        if (limits.enabled()) sampler.start();
    }

    /** The watchdog the flags ask for: watchdog_level (or disable_watchdog), its overrides and watchdog_delay. */
    static Watchdog of(io.hostql.config.Settings settings) {
        boolean off = settings.get(WatchdogFlags.DISABLE_WATCHDOG);
        return new Watchdog(Limits.of(off ? -1 : settings.get(WatchdogFlags.WATCHDOG_LEVEL), settings.get(WatchdogFlags.WATCHDOG_MEMORY_LIMIT),
                        settings.get(WatchdogFlags.WATCHDOG_UTILIZATION_LIMIT), settings.get(WatchdogFlags.WATCHDOG_LATENCY_LIMIT)),
                settings.get(WatchdogFlags.WATCHDOG_DELAY));
    }

    Limits limits() {
        return limits;
    }

    /** Installs the progress check on the engine's connection. */
    void watch(QueryEngine e) {
        this.engine = e;
        if (limits.enabled()) e.database().setProgressCheck(1000, this::check);
    }

    /** Called on the query's thread just before it runs. */
    void begin() {
        reason = null;
        threadId = Thread.currentThread().getId();
        memoryBase = Database.sqliteMemoryUsed();
        windowStartWall = System.nanoTime();
        windowStartCpu = threads.getCurrentThreadCpuTime();
        overSinceWall = -1;
        running = true;
        LockSupport.unpark(sampler);
    }

    /** Called when the query ends; the reason it was stopped, or null. */
    String end() {
        running = false;
        String r = reason;
        reason = null; // decorators and the like run between queries, unwatched
        return r;
    }

    private boolean check() {
        if (!running) return false;
        if (reason != null) return true;
        if (System.nanoTime() < enforceAfterNanos) return false;
        long gained = Database.sqliteMemoryUsed() - memoryBase;
        if (gained > limits.memoryBytes()) {
            reason = "Memory limits exceeded: " + gained + " bytes (limit is " + limits.memoryBytes() / (1024 * 1024) + "MB)";
            return true;
        }
        if ((++steps & 63) == 0) cpu(threads.getCurrentThreadCpuTime());
        return reason != null;
    }

    /** Utilization over one-second windows; over the limit for longer than the latency limit stops the query. */
    private synchronized void cpu(long cpuNow) {
        long now = System.nanoTime();
        long wall = now - windowStartWall;
        if (wall < 1_000_000_000L || cpuNow < 0) return;
        double utilization = (double) (cpuNow - windowStartCpu) / wall;
        windowStartWall = now;
        windowStartCpu = cpuNow;
        if (utilization <= limits.cpuFractionOfOneCore()) {
            overSinceWall = -1;
            return;
        }
        if (overSinceWall < 0) overSinceWall = now - wall;
        long overMillis = (now - overSinceWall) / 1_000_000;
        if (overMillis >= limits.latencyMillis()) {
            reason = "Maximum sustainable CPU utilization limit exceeded: " + overMillis / 1000 + " s above "
                    + Math.round(limits.cpuFractionOfOneCore() * 100) + "% of a core (limit is " + limits.latencyMillis() / 1000 + " s)";
        }
    }

    private void sample() {
        while (!Thread.currentThread().isInterrupted()) {
            if (!running) { // parked between queries, woken by begin(): waking every second for no query was an idle daemon's cost
                LockSupport.park(this);
                continue;
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            if (!running || System.nanoTime() < enforceAfterNanos) continue;
            long gained = Database.sqliteMemoryUsed() - memoryBase;
            if (gained > limits.memoryBytes() && reason == null) {
                reason = "Memory limits exceeded: " + gained + " bytes (limit is " + limits.memoryBytes() / (1024 * 1024) + "MB)";
            }
            if (reason == null) cpu(threads.getThreadCpuTime(threadId));
            QueryEngine e = engine;
            if (reason != null && running && e != null) e.interrupt();
        }
    }

    @Override
    public void close() {
        sampler.interrupt();
    }
}
