package io.hostql.publishers.audit;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Groups kernel records into events by serial: a syscall event starts with SYSCALL and ends with EOE;
 * records of different events interleave when several CPUs audit at once. A group whose EOE has not
 * come after the timeout is handed over as incomplete. Single-threaded (the publisher's thread).
 */
final class Assembler {
    /** Receives finished groups: the records in arrival order, and whether EOE closed them. */
    interface Sink {
        void group(List<AuditRecord> records, boolean complete);
    }

    private static final class Group {
        final List<AuditRecord> records = new ArrayList<>(8);
        final long started;
        /** A SYSCALL for a syscall hostql does not report: drop the rest as it arrives. */
        boolean ignored;

        Group(long started) {
            this.started = started;
        }
    }

    private final Sink sink;
    private final long timeoutNanos;
    private final int maxOpen;
    private final LinkedHashMap<Long, Group> open = new LinkedHashMap<>();
    private long timedOut;

    Assembler(Sink sink, long timeoutNanos, int maxOpen) {
        this.sink = sink;
        this.timeoutNanos = timeoutNanos;
        this.maxOpen = maxOpen;
    }

    /** A record of a syscall event (types 1300-2099); {@code wanted} says whether a SYSCALL record is one hostql reports. */
    void add(AuditRecord r, boolean wanted, long now) {
        Group g = open.get(r.serial);
        if (r.type == EventBuilder.EOE) {
            if (g != null) {
                open.remove(r.serial);
                if (!g.ignored) sink.group(g.records, true);
            }
            return;
        }
        if (g == null) {
            if (open.size() >= maxOpen) expireOldest();
            g = new Group(now);
            open.put(r.serial, g);
        }
        if (g.ignored) return;
        if (r.type == EventBuilder.SYSCALL && !wanted) {
            g.ignored = true;
            g.records.clear();
            return;
        }
        g.records.add(r);
    }

    /** Hands over groups older than the timeout; returns how many had a SYSCALL (counted as incomplete). */
    int expire(long now) {
        int n = 0;
        for (Iterator<Map.Entry<Long, Group>> it = open.entrySet().iterator(); it.hasNext(); ) {
            Group g = it.next().getValue();
            if (now - g.started < timeoutNanos) break; // insertion order: the rest are younger
            it.remove();
            if (finishIncomplete(g)) n++;
        }
        timedOut += n;
        return n;
    }

    /** Everything still open, as at shutdown. */
    int flush() {
        int n = 0;
        for (Group g : open.values()) if (finishIncomplete(g)) n++;
        open.clear();
        timedOut += n;
        return n;
    }

    private void expireOldest() {
        Iterator<Map.Entry<Long, Group>> it = open.entrySet().iterator();
        Group g = it.next().getValue();
        it.remove();
        if (finishIncomplete(g)) timedOut++;
    }

    private boolean finishIncomplete(Group g) {
        if (g.ignored || g.records.isEmpty() || g.records.stream().noneMatch(r -> r.type == EventBuilder.SYSCALL)) return false;
        sink.group(g.records, false);
        return true;
    }

    int openCount() {
        return open.size();
    }

    long timedOut() {
        return timedOut;
    }
}
