package io.hostql.events;

/** A record read from the journal: its index (the consumer's position) and the event. */
public record JournalEntry(long index, Event event) {}
