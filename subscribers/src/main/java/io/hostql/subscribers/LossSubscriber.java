package io.hostql.subscribers;

import io.hostql.evented.EventStore;
import io.hostql.evented.EventedTables;
import io.hostql.evented.Row;
import io.hostql.events.EventType;
import io.hostql.events.Journal;
import io.hostql.events.JournalEntry;
import io.hostql.events.LossEvent;
import java.util.Set;

/** Writes every loss record in the journal to hostql_event_losses, so users can ask what was lost and when. */
public final class LossSubscriber extends Subscriber {
    public static final String NAME = "hostql_event_losses";

    public LossSubscriber(Journal journal, EventStore store) {
        super(NAME, journal, store);
    }

    @Override
    protected Set<EventType> types() {
        return Set.of(EventType.LOSS);
    }

    private static final Row.Layout LOSSES = Row.layout(EventedTables.EVENT_LOSSES);
    private static final Row.Int TIME = LOSSES.integer("time"), COUNT = LOSSES.integer("count"),
            CAPTURE_TIME_NS = LOSSES.integer("capture_time_ns"), ESTIMATE = LOSSES.integer("estimate");
    private static final Row.Text SOURCE = LOSSES.text("source"), REASON = LOSSES.text("reason");

    @Override
    protected void handle(JournalEntry entry, Rows out) {
        if (!(entry.event() instanceof LossEvent l)) return;
        // A source that cannot count (count < 0) is an unknown count, NULL in SQL, never a -1 that sums wrongly.
        boolean unknown = l.count() < 0;
        out.add(LOSSES.row().set(TIME, l.captureNanos() / 1_000_000_000L).set(SOURCE, l.source()).set(COUNT, unknown ? null : l.count())
                .set(REASON, l.reason()).set(CAPTURE_TIME_NS, l.captureNanos()).set(ESTIMATE, unknown || l.estimate() ? 1 : 0));
    }
}
