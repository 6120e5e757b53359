package io.hostql.daemon;

import io.hostql.evented.EventStore;
import io.hostql.events.Journal;
import io.hostql.sql.table.TableSchema;
import io.hostql.subscribers.Subscriber;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * events.db checks itself: {@code PRAGMA quick_check} every {@code events_integrity_check_interval} seconds
 * (0: off), and a rebuild whenever the check or any statement on the store finds the file damaged.
 *
 * <p>Rebuild: the subscribers stop, the store moves the damaged file aside and starts a fresh one (their
 * positions live in it, so each re-reads the journal from its start), the subscribers start again with
 * nothing of their old positions, and the scheduler re-attaches the new file. When every subscriber has
 * reached the journal's end as it was, the status log says so with the row counts and the rebuilding marker
 * the shell reads goes away. Everything runs on one thread of its own, so a rebuild never runs twice at once.
 */
final class EventsDbCheck implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventsDbCheck.class);
    /**
     * A check never takes more than this share of a core (0.05%): on a big events.db quick_check reads
     * the whole file, and the next check waits accordingly longer than the interval.
     */
    private static final long MAX_DUTY_DIVISOR = 2000;
    private static final long CATCH_UP_POLL_MILLIS = 500;
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private final EventStore store;
    private final Journal journal;
    private final List<Subscriber> subscribers;
    private final Runnable fileReplaced;
    private final long intervalSeconds;
    private final AtomicBoolean rebuildPending = new AtomicBoolean();
    private static final long RETRY_AFTER_FAILURE_NANOS = 60_000_000_000L;
    private volatile long retryAfter = System.nanoTime();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hostql-events-db-check");
        t.setDaemon(true);
        return t;
    });

    /** fileReplaced: called after a rebuild replaced the file, for readers that attached the old one (the scheduler). */
    EventsDbCheck(EventStore store, Journal journal, List<Subscriber> subscribers, Runnable fileReplaced, long intervalSeconds) {
        this.store = store;
        this.journal = journal;
        this.subscribers = subscribers;
        this.fileReplaced = fileReplaced;
        this.intervalSeconds = intervalSeconds;
    }

    /** Call after the subscribers started: a rebuild begun at open (or by a daemon that stopped mid-way) is awaited and reported. */
    void start() {
        store.onCorruption(e -> requestRebuild(e.getMessage()));
        if (store.rebuilding()) {
            long target = journal.lastIndex();
            long t0 = System.nanoTime();
            thread.execute(() -> awaitCatchUp(target, t0));
        }
        if (intervalSeconds > 0) thread.schedule(this::check, intervalSeconds, TimeUnit.SECONDS);
    }

    private void check() {
        long t0 = checkCpuNanos();
        try {
            String problem = store.integrityProblem();
            if (problem != null) requestRebuild(problem);
        } catch (RuntimeException e) {
            log.warn("events.db integrity check failed to run: {}", e.toString());
        }
        long tookNanos = checkCpuNanos() - t0;
        long next = Math.max(intervalSeconds * 1000, tookNanos * MAX_DUTY_DIVISOR / 1_000_000);
        if (!thread.isShutdown()) thread.schedule(this::check, next, TimeUnit.MILLISECONDS);
    }

    /**
     * The check thread's CPU time (wall time where the JVM cannot tell): the cap is on what a check costs
     * the host, and on a busy machine a check's wall time stretches by the time other processes hold the
     * CPU: 2000 times that put the next check far past the interval (no check for 10 s at a 2 s interval
     * under stress-ng).
     */
    private static long checkCpuNanos() {
        long cpu = CPU.isCurrentThreadCpuTimeSupported() ? CPU.getCurrentThreadCpuTime() : -1;
        return cpu >= 0 ? cpu : System.nanoTime();
    }

    /** From any thread (a subscriber's failed insert, retention, the check): one rebuild, however many report it. */
    void requestRebuild(String problem) {
        if (System.nanoTime() < retryAfter) return; // the last rebuild failed (said so): not again at every failed insert
        if (!rebuildPending.compareAndSet(false, true)) return;
        try {
            thread.execute(() -> rebuild(problem));
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            rebuildPending.set(false);
        }
    }

    private void rebuild(String problem) {
        long t0 = System.nanoTime();
        try {
            for (Subscriber s : subscribers) s.close();
            long target = journal.lastIndex();
            store.rebuild(problem); // logs the ERROR line: what was damaged, where it went, that it is rebuilding
            rebuildPending.set(false); // from here, a report concerns the new file
            for (Subscriber s : subscribers) {
                s.replayQuietlyUntil(target); // the alert rules saw these rows already
                s.start();
            }
            fileReplaced.run();
            awaitCatchUp(target, t0);
        } catch (RuntimeException e) {
            retryAfter = System.nanoTime() + RETRY_AFTER_FAILURE_NANOS;
            rebuildPending.set(false);
            log.error("events.db rebuild failed: {}; subscribers restart on the file as it is; tried again in a minute at the"
                    + " earliest", e.toString());
            for (Subscriber s : subscribers) s.start();
        }
    }

    /** Waits until every subscriber committed a position at or past the journal's end as it was, then reports. */
    private void awaitCatchUp(long target, long t0) {
        try {
            while (!caughtUp(target)) Thread.sleep(CATCH_UP_POLL_MILLIS);
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
            return;
        }
        List<String> counts = new ArrayList<>();
        for (TableSchema t : store.tables()) {
            if (t.indexOf("eid") < 0) continue; // a status table is refreshed, not rebuilt
            counts.add(store.query("SELECT count(*) FROM \"" + t.name() + "\"").rows().get(0)[0] + " " + t.name());
        }
        store.rebuilt();
        log.info("events.db rebuilt from the journal in {} s: {} rows", (System.nanoTime() - t0) / 1_000_000_000L, String.join(", ", counts));
    }

    private boolean caughtUp(long target) {
        if (target < 0) return true;
        for (Subscriber s : subscribers) {
            if (store.position(s.name()).index() < target) return false;
        }
        return true;
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
