package io.hostql.events;

/** Where publishers put what they capture. The journal is the real one; it must be fast and never block long. */
public interface EventSink {
    /** Appends the event and returns its journal index. */
    long append(Event event);
}
