package io.hostql.publishers.audit;

import io.hostql.events.AuditRecordsEvent;
import io.hostql.events.Event;
import io.hostql.events.EventSink;
import io.hostql.events.SecurityEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the raw audit records the reader journals ({@link AuditRecordsEvent}) into typed events, on the
 * subscriber side of the journal: a syscall group through {@link EventBuilder#syscall}, a user-space
 * record through {@link EventBuilder#user}, a security-module record through {@link SecurityRecords}.
 * Records that do not parse are skipped, as the reader skipped them before. Every event gets the raw records' capture
 * time (when the reader took them off the socket, not when they were decoded), so that a row made again after a
 * restart is the same row. Stateless and thread-safe.
 */
public final class AuditDecoder {
    private static final SecurityRecords EVERY_KIND = new SecurityRecords(true, true, true);
    private static final java.util.Set<String> SOCKET_CALLS = java.util.Set.of("bind", "connect", "accept", "accept4");

    private AuditDecoder() {}

    /**
     * The records, parsed in place; those without an audit(...) stamp are left out. A group journaled with
     * {@link AuditRecordsEvent#SHARED_STAMP} has its stamp parsed once; one written before it, each record's.
     */
    static List<AuditRecord> records(AuditRecordsEvent raw) {
        List<AuditRecord> out = new ArrayList<>(4);
        byte[] b = raw.records();
        AuditRecord.Stamp shared = raw.stampLength() == 0 ? null
                : AuditRecord.Stamp.parse(b, AuditRecordsEvent.STAMP_OFFSET, raw.stampLength());
        raw.forEach((type, stamped, t, off, len) -> {
            AuditRecord r = stamped ? AuditRecord.parse(type, t, off, len) : shared == null ? null : AuditRecord.parse(type, shared, t, off, len);
            if (r != null) out.add(r);
        });
        return out;
    }

    /** Whether the group is a syscall event (its first record is SYSCALL): the only kind {@link #syscall} decodes. */
    public static boolean isSyscall(AuditRecordsEvent raw) {
        return raw.firstType() == EventBuilder.SYSCALL;
    }

    /**
     * The syscall of a syscall group by name, from a byte scan of its SYSCALL record (null: not a syscall group,
     * or a call hostql does not audit): how each audit table passes over the others' groups without parsing them.
     */
    public static String syscallName(AuditRecordsEvent raw) {
        if (!isSyscall(raw)) return null;
        byte[] b = raw.records();
        int off = raw.firstTextOffset(), end = off + raw.firstTextLength();
        return RecordFraming.syscallName(b, off, end);
    }

    /** Whether a syscall (a name from {@link #syscallName}, or null) is a socket call (bind, connect, accept, accept4): socket_events' groups. */
    public static boolean isSocketCall(String name) {
        return name != null && SOCKET_CALLS.contains(name);
    }

    /** Whether a syscall (a name from {@link #syscallName}, or null) is a file call (open, read, write, rename...): process_file_events' groups. */
    public static boolean isFileCall(String name) {
        return name != null && Syscalls.isFileCall(name);
    }

    /** The process, socket (or other syscall) event of a syscall group, or null when it is not one hostql reports. */
    public static Event syscall(AuditRecordsEvent raw) {
        if (!isSyscall(raw)) return null;
        return EventBuilder.syscall(records(raw), raw.complete(), raw.captureNanos());
    }

    /** The user_events event of a standalone user-space record (1100-1199), or null. */
    public static Event user(AuditRecordsEvent raw) {
        int t = raw.firstType();
        if (t < EventBuilder.FIRST_USER || t > EventBuilder.LAST_USER) return null;
        List<AuditRecord> rs = records(raw);
        return rs.isEmpty() ? null : EventBuilder.user(rs.get(0), raw.captureNanos());
    }

    /** The security event of a standalone seccomp, SELinux or AppArmor record, or null. */
    public static SecurityEvent security(AuditRecordsEvent raw) {
        if (!SecurityRecords.isSecurityType(raw.firstType())) return null;
        List<AuditRecord> rs = records(raw);
        if (rs.isEmpty()) return null;
        SecurityEvent.Kind kind = EVERY_KIND.kind(rs.get(0));
        return kind == null ? null : SecurityRecords.event(rs.get(0), kind, raw.captureNanos());
    }

    /** Every typed event the records make (a USER_AVC is both a user and a security event). */
    public static List<Event> decode(AuditRecordsEvent raw) {
        List<Event> out = new ArrayList<>(2);
        Event e = syscall(raw);
        if (e != null) out.add(e);
        SecurityEvent s = security(raw);
        if (s != null) out.add(s);
        Event u = user(raw);
        if (u != null) out.add(u);
        return out;
    }

    /** A sink that decodes raw records before handing the events on (tests, tools); other events pass as they are. */
    public static EventSink decoding(EventSink next) {
        return e -> {
            if (!(e instanceof AuditRecordsEvent raw)) return next.append(e);
            long last = -1;
            for (Event d : decode(raw)) last = next.append(d);
            return last;
        };
    }
}
