package io.hostql.events;

/** Decodes a journal payload into its typed event, by the decoder its {@link EventType} carries. */
public final class Records {
    private Records() {}

    public static Event decode(EventType type, long captureNanos, byte[] payload) {
        if (type == null) throw new CorruptRecordException("no decoder for event type null");
        return type.decoder.decode(captureNanos, new RecordInput(payload));
    }
}
