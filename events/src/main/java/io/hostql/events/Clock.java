package io.hostql.events;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Capture timestamps: wall-clock nanoseconds since the epoch, strictly increasing within the process,
 * so a timestamp identifies one record (the journal resumes by it after recovery).
 */
public final class Clock {
    private static final AtomicLong LAST = new AtomicLong();

    private Clock() {}

    public static long nowNanos() {
        Instant i = Instant.now();
        long now = i.getEpochSecond() * 1_000_000_000L + i.getNano();
        return LAST.accumulateAndGet(now, (last, n) -> n > last ? n : last + 1);
    }
}
