package io.hostql.events;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Counts the journal's appends, per type, and wakes the readers parked waiting for one: the consumers'
 * side of the appender, with no lock on the append path.
 */
final class AppendSignal {
    private static final Set<EventType> ALL_TYPES = EnumSet.allOf(EventType.class);

    private final AtomicLong appended = new AtomicLong();
    /** Appends per type (by ordinal), so a reader waits only for the types it decodes. */
    private final AtomicLongArray appendedByType = new AtomicLongArray(EventType.values().length);
    /**
     * Readers parked in {@link #await}, with the types that wake them (ALL_TYPES: any). A reader of
     * other types is not woken by each process event: it catches up at its timeout, in one batch.
     */
    private final Map<Thread, Set<EventType>> waiting = new ConcurrentHashMap<>();

    /** A record of this type was appended: count it and wake the readers waiting for its type. */
    void appended(EventType type) {
        appended.incrementAndGet();
        appendedByType.incrementAndGet(type.ordinal());
        if (!waiting.isEmpty()) {
            for (Map.Entry<Thread, Set<EventType>> w : waiting.entrySet()) {
                if (w.getValue().contains(type)) LockSupport.unpark(w.getKey());
            }
        }
    }

    /** Appends of the given types (null: all) since the journal was opened. */
    long count(Set<EventType> types) {
        if (types == null) return appended.get();
        long n = 0;
        for (EventType t : types) n += appendedByType.get(t.ordinal());
        return n;
    }

    /**
     * Parks the calling thread until a record of these types (null: any) is appended after {@code seen}
     * ({@link #count} of the same types, taken before it last found nothing to read), or at most maxNanos.
     */
    void await(Set<EventType> types, long seen, long maxNanos) {
        Thread me = Thread.currentThread();
        waiting.put(me, types == null ? ALL_TYPES : types);
        try {
            if (count(types) == seen) LockSupport.parkNanos(this, maxNanos);
        } finally {
            waiting.remove(me);
        }
    }
}
