package io.hostql.events;

/** A typed journal record. Each kind encodes itself to bytes and decodes from them (see {@link Records}). */
public interface Event {
    EventType type();

    /** When the publisher captured it: nanoseconds since the epoch. */
    long captureNanos();

    void encode(RecordOutput out);
}
