package io.hostql.subscribers;

import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;

/**
 * How a subscriber waits out a commit that fails (events.db on a full or read-only disk: SQLITE_FULL,
 * SQLITE_IOERR, SQLITE_READONLY): the batch is retried with a backoff, never skipped, and the thread
 * never dies of it. The status log gets one line when commits start failing and one when they work
 * again, not one per attempt. The backoff is capped at a second, so rows follow within about a second
 * once the disk has room again. Used by one subscriber thread.
 */
final class CommitRetry {
    private static final long FIRST_NANOS = 50_000_000L, MAX_NANOS = 1_000_000_000L;
    private final Logger log;
    private final String name;
    private long backoff = FIRST_NANOS, failingSince;
    private volatile long failures; // read by the status check

    CommitRetry(Logger log, String name) {
        this.log = log;
        this.name = name;
    }

    /** A failed attempt: says so once, then waits before the next one. */
    void failed(RuntimeException e) {
        if (failures++ == 0) {
            failingSince = System.currentTimeMillis();
            log.error("subscriber {} cannot write events.db ({}); its events wait in the journal and are retried until it works", name,
                    e.getMessage());
        }
        LockSupport.parkNanos(backoff);
        backoff = Math.min(MAX_NANOS, backoff * 2);
    }

    /** A commit worked: says so if earlier ones had failed. */
    void succeeded() {
        if (failures > 0) {
            log.info("subscriber {} writes events.db again, after {} failed attempts in {} s", name, failures,
                    (System.currentTimeMillis() - failingSince) / 1000);
        }
        failures = 0;
        backoff = FIRST_NANOS;
    }

    boolean failing() {
        return failures > 0;
    }
}
