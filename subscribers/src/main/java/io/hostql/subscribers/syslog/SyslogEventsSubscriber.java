package io.hostql.subscribers.syslog;

import io.hostql.events.EventType;
import io.hostql.events.Journal;
import io.hostql.events.JournalEntry;
import io.hostql.events.SyslogEvent;
import io.hostql.evented.EventStore;
import io.hostql.evented.EventedTables;
import io.hostql.evented.Row;
import io.hostql.subscribers.Subscriber;
import java.util.Set;

/**
 * syslog_events: one row per message rsyslog wrote to the pipe, as osquery's subscriber: the CSV fields as
 * they came, {@code time} when hostqld read the line (osquery's ingestion time, not syslog's), and the
 * severity as an integer (NULL when rsyslog sent something else).
 */
public final class SyslogEventsSubscriber extends Subscriber {
    public static final String NAME = "syslog_events";
    private static final Row.Layout SYSLOG = Row.layout(EventedTables.SYSLOG_EVENTS);
    private static final Row.Int TIME = SYSLOG.integer("time"), SEVERITY = SYSLOG.integer("severity");
    private static final Row.Text DATETIME = SYSLOG.text("datetime"), HOST = SYSLOG.text("host"), FACILITY = SYSLOG.text("facility"),
            TAG = SYSLOG.text("tag"), MESSAGE = SYSLOG.text("message");

    public SyslogEventsSubscriber(Journal journal, EventStore store) {
        super(NAME, journal, store);
    }

    @Override
    protected Set<EventType> types() {
        return Set.of(EventType.SYSLOG);
    }

    @Override
    protected void handle(JournalEntry entry, Rows out) {
        if (!(entry.event() instanceof SyslogEvent e)) return;
        out.add(row(e));
    }

    /** The row, filled by column name. */
    static Row row(SyslogEvent e) {
        return SYSLOG.row().set(TIME, e.captureNanos() / 1_000_000_000L).set(DATETIME, e.datetime()).set(HOST, e.host())
                .set(SEVERITY, severity(e.severity())).set(FACILITY, e.facility()).set(TAG, e.tag()).set(MESSAGE, e.message());
    }

    private static Long severity(String s) {
        try {
            return Long.valueOf(s);
        } catch (NumberFormatException ex) {
            return null;
        }
    }
}
