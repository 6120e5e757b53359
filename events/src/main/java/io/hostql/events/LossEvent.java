package io.hostql.events;

/**
 * Events that were lost, and where: a kernel queue overflow, an audit 'lost' counter increase, a
 * netlink ENOBUFS, a damaged journal cycle. count is exact unless estimate is true (then it is the best
 * figure the source has, e.g. a lower bound); a count below 0 means the source cannot say how many.
 */
public record LossEvent(long captureNanos, String source, long count, String reason, boolean estimate) implements Event {
    /** An exact count. */
    public LossEvent(long captureNanos, String source, long count, String reason) {
        this(captureNanos, source, count, reason, false);
    }

    @Override
    public EventType type() {
        return EventType.LOSS;
    }

    @Override
    public void encode(RecordOutput out) {
        out.writeString(source).writeLong(count).writeString(reason);
        if (estimate) out.writeByte(1); // absent in exact records and in those journaled before the flag existed
    }

    public static LossEvent decode(long captureNanos, RecordInput in) {
        String source = in.readString();
        long count = in.readLong();
        String reason = in.readString();
        return new LossEvent(captureNanos, source, count, reason, in.hasMore() && in.readByte() == 1);
    }
}
