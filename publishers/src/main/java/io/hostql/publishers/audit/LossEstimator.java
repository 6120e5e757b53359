package io.hostql.publishers.audit;

import io.hostql.events.LossEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Lost audit events, estimated from the records the kernel's {@code lost} counter counts. How records map to events depends on
 * where the kernel dropped them (kernel/audit.c, auditsc.c; measured in BacklogFloodTest):
 * <ul>
 * <li>the backlog limit (and a failed allocation) refuses a record before it is numbered: when it is a syscall event's first
 * record (SYSCALL) the kernel drops the whole event and counts one record; a later record refused leaves the event incomplete
 * and counts one each. So with no rate limit, lost records are about the events lost (a little more: the incomplete ones);
 * <li>the rate limit ({@code rate_limit} above 0) drops records one by one, after numbering them: the records lost are divided
 * by the records per event the reader has seen so far (records read / distinct serials read).
 * </ul>
 * Serial gaps need no estimate: a serial is an event.
 */
final class LossEstimator {
    private final String events;

    /** {@code events}: what the lost events would have been, for the reason ("process or socket events"). */
    LossEstimator(String events) {
        this.events = events;
    }

    /** "process, socket or user events" for the kinds enabled; "audit events" when none is. */
    static String events(boolean process, boolean socket, boolean user) {
        List<String> kinds = new ArrayList<>();
        if (process) kinds.add("process");
        if (socket) kinds.add("socket");
        if (user) kinds.add("user");
        if (kinds.isEmpty()) return "audit events";
        String last = kinds.remove(kinds.size() - 1);
        return (kinds.isEmpty() ? "" : String.join(", ", kinds) + " or ") + last + " events";
    }

    /** Records per event among those read, or 0 when no serial was read yet. */
    static double recordsPerEvent(long records, long serials) {
        return serials <= 0 || records <= 0 ? 0 : (double) records / serials;
    }

    /** Events in {@code lostRecords}: at least one, at most {@code lostRecords}; all of them when the ratio is unknown (0). */
    static long events(long lostRecords, double recordsPerEvent) {
        if (lostRecords <= 0) return 0;
        if (recordsPerEvent < 1) return lostRecords;
        return Math.max(1, Math.min(lostRecords, Math.round(lostRecords / recordsPerEvent)));
    }

    /**
     * The loss row for {@code lostRecords} records the kernel dropped, counted in events (an estimate), having read
     * {@code records} records of {@code serials} distinct serials so far, with the kernel's {@code rateLimit} (messages per
     * second, 0: none); {@code detail} says where the records went.
     */
    LossEvent kernelLost(long captureNanos, String source, long lostRecords, long records, long serials, int rateLimit, String detail) {
        double perEvent = recordsPerEvent(records, serials);
        String ratio = perEvent == 0 ? "no records per event seen yet" : String.format(Locale.ROOT, "%.1f", perEvent) + " records per event read";
        String reason;
        long n;
        if (rateLimit == 0) {
            n = lostRecords;
            reason = "about " + n + " " + events + " lost (estimate: " + lostRecords + " records refused at the backlog; the kernel counts"
                    + " one for an event it drops whole, at its first record, and one per record missing from an incomplete one; " + ratio + ")";
        } else {
            n = events(lostRecords, perEvent);
            reason = (perEvent == 0 ? "up to " : "about ") + n + " " + events + " lost (estimate: " + lostRecords + " records at "
                    + ratio + "; rate_limit " + rateLimit + " drops records one by one)";
        }
        return new LossEvent(captureNanos, source, n, reason + "; " + detail, true);
    }
}
