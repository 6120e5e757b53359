package io.hostql.subscribers.syslog;

import io.hostql.events.EventType;
import io.hostql.events.Journal;
import io.hostql.events.JournalEntry;
import io.hostql.events.SyslogEvent;
import io.hostql.evented.EventStore;
import io.hostql.evented.EventedTables;
import io.hostql.sql.table.TableSchema;
import io.hostql.subscribers.Subscriber;
import java.util.Set;

/**
 * syslog_events: one row per message rsyslog wrote to the pipe, as osquery's subscriber: the CSV fields as
 * they came, {@code time} when hostqld read the line (osquery's ingestion time, not syslog's), and the
 * severity as an integer (NULL when rsyslog sent something else).
 */
public final class SyslogEventsSubscriber extends Subscriber {
    public static final String NAME = "syslog_events";
    private static final TableSchema TABLE = EventedTables.SYSLOG_EVENTS;

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
        out.add(TABLE, row(e));
    }

    /** The row, filled by column name. */
    static Object[] row(SyslogEvent e) {
        Object[] row = new Object[TABLE.columns().size()];
        row[TABLE.indexOf("time")] = e.captureNanos() / 1_000_000_000L;
        row[TABLE.indexOf("datetime")] = e.datetime();
        row[TABLE.indexOf("host")] = e.host();
        row[TABLE.indexOf("severity")] = severity(e.severity());
        row[TABLE.indexOf("facility")] = e.facility();
        row[TABLE.indexOf("tag")] = e.tag();
        row[TABLE.indexOf("message")] = e.message();
        return row;
    }

    private static Integer severity(String s) {
        try {
            return Integer.valueOf(s);
        } catch (NumberFormatException ex) {
            return null;
        }
    }
}
