package io.hostql.events;

import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * A period in which the journal cannot write: why, since when, and the events counted instead of written
 * (per type, with the first and last capture time), so that one loss record covers it exactly. Counting
 * allocates nothing: a storm while degraded costs no garbage. Not thread-safe: the journal's lock covers it.
 */
final class BlindPeriod {
    private String reason;
    private long sinceMillis, firstNanos, lastNanos, total;
    private final long[] dropped = new long[EventType.values().length];

    boolean open() {
        return reason != null;
    }

    /** Opens the period; false if one is already open (its first reason stays). */
    boolean start(String why, long nowMillis) {
        if (reason != null) return false;
        reason = why;
        sinceMillis = nowMillis;
        return true;
    }

    /** A record that was not written. */
    void drop(EventType type, long captureNanos) {
        if (total++ == 0) firstNanos = captureNanos;
        lastNanos = captureNanos;
        dropped[type.ordinal()]++;
    }

    long sinceMillis() {
        return sinceMillis;
    }

    long dropped() {
        return total;
    }

    /** A snapshot for the status: healthy when no period is open. */
    StorageStatus status() {
        if (reason == null) return StorageStatus.HEALTHY;
        Map<EventType, Long> byType = new EnumMap<>(EventType.class);
        for (EventType t : EventType.values()) if (dropped[t.ordinal()] > 0) byType.put(t, dropped[t.ordinal()]);
        return new StorageStatus(true, sinceMillis, reason, total, byType);
    }

    /** The one record that covers the period up to nowMillis: the exact count per type and the time span. */
    LossEvent lossRecord(long nowMillis) {
        StringBuilder types = new StringBuilder();
        for (EventType t : EventType.values()) {
            long n = dropped[t.ordinal()];
            if (n == 0) continue;
            types.append(types.length() == 0 ? "" : ", ").append(t.name().toLowerCase(Locale.ROOT)).append(' ').append(n);
        }
        String span = total == 0 ? "no event arrived meanwhile"
                : "events captured from " + Instant.ofEpochSecond(0, firstNanos) + " to " + Instant.ofEpochSecond(0, lastNanos)
                        + " (" + types + ")";
        String msg = "the journal could not be written from " + Instant.ofEpochMilli(sinceMillis) + " to "
                + Instant.ofEpochMilli(nowMillis) + " (" + reason + "); " + total + " events were not captured: " + span;
        return new LossEvent(Clock.nowNanos(), "journal", total, msg);
    }

    /** The loss record is written: the period is over. */
    void end() {
        reason = null;
        Arrays.fill(dropped, 0);
        total = 0;
    }
}
