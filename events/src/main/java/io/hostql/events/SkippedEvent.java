package io.hostql.events;

/**
 * A record a filtered reader passed over without decoding it (see {@link Journal#reader(java.util.Set)}):
 * only its type and capture time are known, which is all a consumer needs to advance its position.
 */
public record SkippedEvent(long captureNanos, EventType skippedType) implements Event {
    @Override
    public EventType type() {
        return skippedType;
    }

    @Override
    public void encode(RecordOutput out) {
        throw new UnsupportedOperationException("a skipped record is not re-encoded");
    }
}
