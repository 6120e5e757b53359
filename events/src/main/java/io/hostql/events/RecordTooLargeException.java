package io.hostql.events;

/**
 * An event too big for one journal record ({@link Journal#MAX_EVENT_BYTES}): refused before anything is written. The event's
 * fault, not the storage's: the journal stays healthy, and the caller counts the event as lost.
 */
public final class RecordTooLargeException extends IllegalArgumentException {
    public RecordTooLargeException(EventType type, int eventBytes) {
        super("a " + type + " event of " + eventBytes + " bytes is over the journal's limit of " + Journal.MAX_EVENT_BYTES
                + " bytes per record (one " + Journal.MAX_DOCUMENT_BYTES + "-byte Chronicle document): not written");
    }
}
