package io.hostql.publishers.audit;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Finds audit events that never arrived, from gaps in the serial sequence. The kernel numbers every
 * event it queues, but events from several CPUs reach the socket slightly out of order, so a missing
 * serial only counts as lost once it has stayed missing for the grace period.
 */
final class SerialGaps {
    /** Missing ranges: first serial -> {last serial, when noticed (nanos)}. */
    private final TreeMap<Long, long[]> missing = new TreeMap<>();
    private final long graceNanos;
    private long highest = -1;
    private long lost;
    /** Distinct serials that arrived: the events read, for the records per event (LossEstimator). */
    private long arrived;

    SerialGaps(long graceNanos) {
        this.graceNanos = graceNanos;
    }

    void seen(long serial, long now) {
        if (highest < 0) {
            highest = serial;
            arrived++;
            return;
        }
        if (serial == highest + 1) {
            highest = serial;
            arrived++;
            return;
        }
        if (serial > highest) {
            missing.put(highest + 1, new long[] {serial - 1, now});
            highest = serial;
            arrived++;
            return;
        }
        if (missing.isEmpty()) return;
        Map.Entry<Long, long[]> e = missing.floorEntry(serial);
        if (e == null || e.getValue()[0] < serial) return; // not missing: a duplicate or from before we started
        long first = e.getKey(), last = e.getValue()[0], noticed = e.getValue()[1];
        arrived++;
        missing.remove(first);
        if (first < serial) missing.put(first, new long[] {serial - 1, noticed});
        if (serial < last) missing.put(serial + 1, new long[] {last, noticed});
    }

    /** Serials missing for longer than the grace period are lost: returns how many, and the range they span in {@code range}. */
    long expire(long now, long[] range) {
        long n = 0;
        range[0] = Long.MAX_VALUE;
        range[1] = -1;
        for (Iterator<Map.Entry<Long, long[]>> it = missing.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, long[]> e = it.next();
            if (now - e.getValue()[1] < graceNanos) continue;
            n += e.getValue()[0] - e.getKey() + 1;
            range[0] = Math.min(range[0], e.getKey());
            range[1] = Math.max(range[1], e.getValue()[0]);
            it.remove();
        }
        lost += n;
        return n;
    }

    long lost() {
        return lost;
    }

    long arrived() {
        return arrived;
    }

    long highest() {
        return highest;
    }
}
