package io.hostql.publishers;

import org.slf4j.Logger;

/**
 * A publisher's repeating failures (a poll error, a refused append) logged at most once per period:
 * a reader loop failing thousands of times a second must not flood the status log.
 */
public final class RateLimitedLog {
    private final Logger log;
    private final long periodNanos;
    private long last; // guarded by this

    public RateLimitedLog(Logger log, long periodSeconds) {
        this.log = log;
        this.periodNanos = periodSeconds * 1_000_000_000L;
    }

    private synchronized boolean due() {
        long now = System.nanoTime();
        if (last != 0 && now - last < periodNanos) return false;
        last = now;
        return true;
    }

    public void warn(String message) {
        if (due()) log.warn(message);
    }

    public void error(String message) {
        if (due()) log.error(message);
    }

    public void error(String message, Throwable t) {
        if (due()) log.error(message, t);
    }
}
