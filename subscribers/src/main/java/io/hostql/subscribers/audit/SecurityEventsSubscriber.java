package io.hostql.subscribers.audit;

import io.hostql.os.proc.ProcFs;
import io.hostql.evented.EventStore;
import io.hostql.evented.Row;
import io.hostql.events.AuditRecordsEvent;
import io.hostql.events.Event;
import io.hostql.events.EventType;
import io.hostql.events.Journal;
import io.hostql.events.JournalEntry;
import io.hostql.events.SecurityEvent;
import io.hostql.events.SecurityEvent.Kind;
import io.hostql.publishers.audit.AuditDecoder;
import io.hostql.subscribers.Subscriber;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * seccomp_events, selinux_events or apparmor_events: one row per security record of its kind, with
 * osquery's columns ({@link SecurityRows} fills them). uptime is the kernel event's time since boot.
 */
public final class SecurityEventsSubscriber extends Subscriber {
    public static final String SECCOMP = "seccomp_events", SELINUX = "selinux_events", APPARMOR = "apparmor_events";

    private final Kind kind;
    private final long bootTime = ProcFs.bootTime();

    private SecurityEventsSubscriber(String name, Kind kind, Journal journal, EventStore store) {
        super(name, journal, store);
        this.kind = kind;
    }

    public static SecurityEventsSubscriber seccomp(Journal journal, EventStore store) {
        return new SecurityEventsSubscriber(SECCOMP, Kind.SECCOMP, journal, store);
    }

    public static SecurityEventsSubscriber selinux(Journal journal, EventStore store) {
        return new SecurityEventsSubscriber(SELINUX, Kind.SELINUX, journal, store);
    }

    public static SecurityEventsSubscriber apparmor(Journal journal, EventStore store) {
        return new SecurityEventsSubscriber(APPARMOR, Kind.APPARMOR, journal, store);
    }

    @Override
    protected Set<EventType> types() {
        return Set.of(EventType.SECURITY, EventType.AUDIT_RECORDS);
    }

    @Override
    protected void handle(JournalEntry entry, Rows out) {
        Event event = entry.event() instanceof AuditRecordsEvent raw ? AuditDecoder.security(raw) : entry.event();
        if (!(event instanceof SecurityEvent e) || e.kind() != kind) return;
        long seconds = e.kernelMillis() / 1000;
        Long uptime = bootTime > 0 ? Math.max(0, seconds - bootTime) : null;
        long time = e.captureNanos() / 1_000_000_000L;
        Row row = switch (kind) {
            case SECCOMP -> SecurityRows.seccomp(e, time, uptime);
            case SELINUX -> SecurityRows.selinux(e, time, uptime);
            case APPARMOR -> SecurityRows.apparmor(e, time, uptime);
        };
        out.add(row);
    }

    static String message(SecurityEvent e) {
        return new String(e.text(), StandardCharsets.UTF_8);
    }
}
