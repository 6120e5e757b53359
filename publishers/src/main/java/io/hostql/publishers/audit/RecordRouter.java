package io.hostql.publishers.audit;

import io.hostql.events.AuditRecordsEvent;
import io.hostql.events.Clock;
import io.hostql.events.Event;
import io.hostql.events.Journal;
import io.hostql.events.LossEvent;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * What the audit reader does with each record, on its thread, with byte scans only ({@link RecordFraming}):
 * notes its serial (for the gaps), drops what hostql does not report (hostqld's own events, syscalls
 * without a table, daemon messages), journals a user or security record alone and a syscall's records as
 * one group ({@link RawGroups}). The counters feed hostql_audit_status.
 */
final class RecordRouter {
    private static final byte[] PID = RecordFraming.field("pid"), APPARMOR = RecordFraming.field("apparmor");

    final AtomicLong records = new AtomicLong(), processEvents = new AtomicLong(), socketEvents = new AtomicLong(),
            userEvents = new AtomicLong(), ignoredOwn = new AtomicLong(), malformed = new AtomicLong();
    final RawGroups groups;
    private final AuditPublisher.Config config;
    /** The syscalls with a table (the publisher's, by name). */
    private final Set<String> wanted;
    private final int self;
    private final SerialGaps gaps;
    private final Consumer<Event> append;

    RecordRouter(AuditPublisher.Config config, Set<String> wanted, int self, SerialGaps gaps, Consumer<Event> append, long groupTimeoutNanos,
            int maxOpenGroups) {
        this.config = config;
        this.wanted = wanted;
        this.self = self;
        this.gaps = gaps;
        this.append = append;
        this.groups = new RawGroups(this::group, groupTimeoutNanos, maxOpenGroups);
    }

    /**
     * One audit record, its text in {@code text[0, len)} (a NUL or newline may end it): framed, filtered on the
     * few fields a byte scan finds (type, serial, arch, syscall, pid) and journaled raw, alone or in its serial's
     * group; parsing is the subscribers' ({@link AuditDecoder}).
     */
    void record(int type, byte[] text, int len) {
        while (len > 0 && (text[len - 1] == 0 || text[len - 1] == '\n')) len--;
        records.incrementAndGet();
        long serial = RecordFraming.serial(text, len);
        if (serial < 0) {
            malformed.incrementAndGet();
            return;
        }
        long now = System.nanoTime();
        gaps.seen(serial, now);
        boolean keep = false;
        if (SecurityRecords.isSecurityType(type)) {
            keep = config.security().kind(type, RecordFraming.hasValue(text, len, APPARMOR)) != null;
            if (type != SecurityRecords.USER_AVC) { // standalone records; USER_AVC is a user_events record too
                if (keep) appendAlone(type, text, len);
                return;
            }
        }
        if (type <= EventBuilder.LAST_USER) {
            if (config.userEvents()) {
                if (RecordFraming.number(text, len, PID, 10, -1) == self) {
                    ignoredOwn.incrementAndGet();
                } else {
                    userEvents.incrementAndGet();
                    keep = true;
                }
            }
            if (keep) appendAlone(type, text, len); // once, even when it is both a user and a security record
            return;
        }
        if (type < 1300) return; // 12xx: daemon-internal messages
        boolean want = true;
        String name = null;
        if (type == EventBuilder.SYSCALL) {
            name = RecordFraming.syscallName(text, 0, len);
            want = name != null && wanted.contains(name);
            if (want && RecordFraming.number(text, len, PID, 10, -1) == self) {
                ignoredOwn.incrementAndGet();
                want = false;
            }
        }
        groups.add(type, serial, text, len, want, name, now);
    }

    /** A standalone record, journaled as a group of one. */
    private void appendAlone(int type, byte[] text, int len) {
        len = Math.min(len, 0xffff); // the layout's u16 (the kernel's records are at most 8970 bytes)
        byte[] b = new byte[4 + len];
        b[0] = (byte) type;
        b[1] = (byte) (type >>> 8);
        b[2] = (byte) len;
        b[3] = (byte) (len >>> 8);
        System.arraycopy(text, 0, b, 4, len);
        append.accept(new AuditRecordsEvent(Clock.nowNanos(), AuditRecordsEvent.COMPLETE, b));
    }

    /**
     * A syscall group, finished (EOE came) or handed over incomplete. One whose records were cut to fit a journal record (an
     * exec with megabytes of arguments) is kept, and a loss record says what was cut.
     */
    private void group(byte[] recs, int flags, String syscall, long cutBytes) {
        boolean exec = syscall != null && Syscalls.isExec(syscall);
        if (syscall != null) {
            if (exec) processEvents.incrementAndGet();
            else socketEvents.incrementAndGet();
        }
        append.accept(new AuditRecordsEvent(Clock.nowNanos(), flags, recs));
        if (cutBytes > 0) {
            append.accept(new LossEvent(Clock.nowNanos(), AuditPublisher.SOURCE, 1, cutBytes + " bytes of " + (exec ? "arguments" : "records")
                    + " of 1 " + (syscall == null ? "syscall" : syscall) + " event cut at the journal's limit of " + Journal.MAX_EVENT_BYTES
                    + " bytes per record; the event is kept, flagged truncated" + (exec ? " (its cmdline has the first arguments)" : "")));
        }
    }
}
