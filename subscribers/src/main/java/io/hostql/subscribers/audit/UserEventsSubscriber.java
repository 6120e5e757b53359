package io.hostql.subscribers.audit;

import io.hostql.evented.EventStore;
import io.hostql.evented.EventedTables;
import io.hostql.events.EventType;
import io.hostql.events.Journal;
import io.hostql.events.JournalEntry;
import io.hostql.events.UserEvent;
import io.hostql.os.proc.ProcFs;
import io.hostql.subscribers.Subscriber;
import java.util.Set;

/**
 * user_events: user-space audit records 1100-1199 (PAM authentication and sessions, sudo, logins).
 * {@code message} is the whole {@code msg='...'} text (osquery keeps only its first word).
 */
public final class UserEventsSubscriber extends Subscriber {
    public static final String NAME = "user_events";
    private final long bootTime = ProcFs.bootTime();

    public UserEventsSubscriber(Journal journal, EventStore store) {
        super(NAME, journal, store);
    }

    @Override
    protected Set<EventType> types() {
        return Set.of(EventType.USER);
    }

    @Override
    protected void handle(JournalEntry entry, Rows out) {
        if (!(entry.event() instanceof UserEvent e)) return;
        long seconds = e.kernelMillis() / 1000;
        out.add(EventedTables.USER_EVENTS, new Object[] {e.uid(), e.auid(), (long) e.pid(), e.message(), (long) e.recordType(), e.exe(),
                e.address(), e.terminal(), e.captureNanos() / 1_000_000_000L, bootTime > 0 ? Math.max(0, seconds - bootTime) : null, null,
                e.kernelMillis(), e.serial()});
    }
}
