package io.hostql.subscribers.audit;

import io.hostql.os.proc.ProcFs;
import io.hostql.evented.EventStore;
import io.hostql.evented.EventedTables;
import io.hostql.evented.Row;
import io.hostql.events.AuditRecordsEvent;
import io.hostql.events.Event;
import io.hostql.events.EventType;
import io.hostql.events.Journal;
import io.hostql.events.JournalEntry;
import io.hostql.events.UserEvent;
import io.hostql.publishers.audit.AuditDecoder;
import io.hostql.subscribers.Subscriber;
import java.util.Set;

/**
 * user_events: user-space audit records 1100-1199 (PAM authentication and sessions, sudo, logins).
 * {@code message} is the whole {@code msg='...'} text (osquery keeps only its first word).
 */
public final class UserEventsSubscriber extends Subscriber {
    public static final String NAME = "user_events";
    private static final Row.Layout USER = Row.layout(EventedTables.USER_EVENTS);
    private static final Row.Text MESSAGE = USER.text("message"), PATH = USER.text("path"), ADDRESS = USER.text("address"),
            TERMINAL = USER.text("terminal");
    private static final Row.Int UID = USER.integer("uid"), AUID = USER.integer("auid"), PID = USER.integer("pid"), TYPE = USER.integer("type"),
            TIME = USER.integer("time"), UPTIME = USER.integer("uptime"), EVENT_TIME_MS = USER.integer("event_time_ms"),
            AUDIT_SERIAL = USER.integer("audit_serial");

    private final long bootTime = ProcFs.bootTime();

    public UserEventsSubscriber(Journal journal, EventStore store) {
        super(NAME, journal, store);
    }

    @Override
    protected Set<EventType> types() {
        return Set.of(EventType.USER, EventType.AUDIT_RECORDS);
    }

    @Override
    protected void handle(JournalEntry entry, Rows out) {
        Event event = entry.event() instanceof AuditRecordsEvent raw ? AuditDecoder.user(raw) : entry.event();
        if (!(event instanceof UserEvent e)) return;
        long seconds = e.kernelMillis() / 1000;
        out.add(USER.row().set(UID, e.uid()).set(AUID, e.auid()).set(PID, e.pid()).set(MESSAGE, e.message()).set(TYPE, e.recordType())
                .set(PATH, e.exe()).set(ADDRESS, e.address()).set(TERMINAL, e.terminal()).set(TIME, e.captureNanos() / 1_000_000_000L)
                .set(UPTIME, bootTime > 0 ? Math.max(0, seconds - bootTime) : null).set(EVENT_TIME_MS, e.kernelMillis())
                .set(AUDIT_SERIAL, e.serial()));
    }
}
