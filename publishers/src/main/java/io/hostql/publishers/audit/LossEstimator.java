package io.hostql.publishers.audit;

import io.hostql.events.LossEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Lost audit events, estimated from the records the kernel's {@code lost} counter counts. How records map to events depends on
 * where the kernel dropped them (kernel/audit.c, auditsc.c; measured in BacklogFloodTest), which {@link Drop} tells apart:
 * <ul>
 * <li>the backlog limit (and a failed allocation) refuses a record before it is numbered: when it is a syscall event's first
 * record (SYSCALL) the kernel drops the whole event and counts one record; a later record refused leaves the event incomplete
 * and counts one each. So lost records are about the events lost (a little more: the incomplete ones), and no serial is missing;
 * <li>the rate limit ({@code rate_limit} above 0) drops records one by one in audit_log_end, after numbering them: an event
 * dropped whole is a serial that never arrives, which {@link SerialGaps} counts exactly; an event dropped in part arrived. So
 * the row of a rate-limit drop counts no events of its own (the gaps' rows do), or the same events would be counted twice.
 * </ul>
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

    /** Where the kernel dropped the records its lost counter counted since the last poll, as far as its status tells. */
    enum Drop {
        /** Refused at the backlog limit (or a failed allocation), unnumbered: a bigger backlog helps. */
        BACKLOG,
        /** Dropped by rate_limit after numbering: the events dropped whole are serial gaps; a bigger backlog does not help. */
        RATE_LIMIT;

        /**
         * With no rate limit only the backlog (or a failed allocation) drops records; with one, a drop is the backlog's when the
         * backlog is at its limit (the kernel refuses above it), the rate limit's otherwise.
         */
        static Drop of(AuditStatus s) {
            if (s.rateLimit() == 0) return BACKLOG;
            return s.backlogLimit() > 0 && s.backlog() >= s.backlogLimit() ? BACKLOG : RATE_LIMIT;
        }
    }

    /**
     * The loss row for {@code lostRecords} records the kernel dropped, read with the kernel status {@code s}, having read
     * {@code records} records of {@code serials} distinct serials so far; {@code detail} says where the records went. At the
     * backlog it is an estimate in events; under the rate limit it counts none (below 0: the serial gaps' rows count them).
     */
    LossEvent kernelLost(long captureNanos, String source, long lostRecords, long records, long serials, AuditStatus s, String detail) {
        double perEvent = recordsPerEvent(records, serials);
        String ratio = perEvent == 0 ? "no records per event seen yet" : String.format(Locale.ROOT, "%.1f", perEvent) + " records per event read";
        if (Drop.of(s) == Drop.BACKLOG) {
            String reason = "about " + lostRecords + " " + events + " lost (estimate: " + lostRecords + " records refused at the backlog; the kernel"
                    + " counts one for an event it drops whole, at its first record, and one per record missing from an incomplete one; " + ratio + ")";
            return new LossEvent(captureNanos, source, lostRecords, reason + "; " + detail, true);
        }
        String reason = lostRecords + " audit records dropped by the kernel's rate_limit " + s.rateLimit() + " (" + ratio + "): the " + events
                + " it dropped whole never arrived and are counted in the serial-gap rows ('never arrived'); the others arrived without those records";
        return new LossEvent(captureNanos, source, -1, reason + "; " + detail, false);
    }
}
