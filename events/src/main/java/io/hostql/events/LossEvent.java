package io.hostql.events;

/**
 * Events that were lost, and where: a kernel queue overflow, an audit 'lost' counter increase, a
 * netlink ENOBUFS, a damaged journal cycle. count is -1 when the source cannot say how many.
 */
public record LossEvent(long captureNanos, String source, long count, String reason) implements Event {
    @Override
    public EventType type() {
        return EventType.LOSS;
    }

    @Override
    public void encode(RecordOutput out) {
        out.writeString(source).writeLong(count).writeString(reason);
    }

    public static LossEvent decode(long captureNanos, RecordInput in) {
        return new LossEvent(captureNanos, in.readString(), in.readLong(), in.readString());
    }
}
