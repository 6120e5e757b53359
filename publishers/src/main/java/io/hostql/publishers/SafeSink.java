package io.hostql.publishers;

import io.hostql.events.Clock;
import io.hostql.events.Event;
import io.hostql.events.EventSink;
import io.hostql.events.LossEvent;

/**
 * A publisher's way into the journal that never throws, so a reader loop keeps draining the kernel
 * whatever the journal does. The journal itself counts what it cannot write during a storage fault
 * (and writes the loss record); an append that still throws (a bug, an OutOfMemoryError) is counted
 * here and becomes a loss record, with the exact count, as soon as the journal accepts one again.
 * Called from the publisher's own thread.
 */
public final class SafeSink {
    private final EventSink sink;
    private final String source;
    private final RateLimitedLog errors;
    private long refused;
    private String lastError;
    /** Written by the publisher's thread only; read by status. */
    private volatile long events, losses;

    public SafeSink(EventSink sink, String source, RateLimitedLog errors) {
        this.sink = sink;
        this.source = source;
        this.errors = errors;
    }

    public void append(Event e) {
        try {
            if (refused > 0) {
                sink.append(new LossEvent(Clock.nowNanos(), source, refused, source + ": the journal refused " + refused
                        + " events (" + lastError + ")"));
                refused = 0;
                losses++;
            }
            sink.append(e);
            if (e instanceof LossEvent) losses++;
            else events++;
        } catch (Throwable t) {
            refused++;
            lastError = t.toString();
            errors.error(source + ": the journal refused an event; refused events are counted and become a loss record", t);
        }
    }

    /** Events (other than loss records) the journal took. */
    public long events() {
        return events;
    }

    /** Loss records the journal took. */
    public long losses() {
        return losses;
    }

    /** Events refused and not yet covered by a loss record. */
    public long refused() {
        return refused;
    }
}
