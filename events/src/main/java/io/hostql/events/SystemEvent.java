package io.hostql.events;

/** hostql's own marker in the journal (for example: journal opened by pid N). */
public record SystemEvent(long captureNanos, String message) implements Event {
    @Override
    public EventType type() {
        return EventType.SYSTEM;
    }

    @Override
    public void encode(RecordOutput out) {
        out.writeString(message);
    }

    public static SystemEvent decode(long captureNanos, RecordInput in) {
        return new SystemEvent(captureNanos, in.readString());
    }
}
