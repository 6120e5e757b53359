package io.hostql.events;

/**
 * A result, snapshot or status line waiting in the logger outbox ({@code <database_path>/outbox}) for
 * the remote logger plugins. {@code seq} numbers the outbox's lines from 1 without gaps and
 * {@code bytesEnd} is the sum of line lengths up to and including this one, so a sink's backlog in
 * lines and bytes is a subtraction, not a scan.
 */
public record LogLineEvent(long captureNanos, long seq, long bytesEnd, Kind kind, byte[] line) implements Event {
    /** What the line is; the code is stored on disk: never renumber. */
    public enum Kind {
        RESULT(0), SNAPSHOT(1), STATUS(2);

        public final int code;

        Kind(int code) {
            this.code = code;
        }

        static Kind of(int code) {
            for (Kind k : values()) if (k.code == code) return k;
            throw new CorruptRecordException("unknown log line kind " + code);
        }
    }

    @Override
    public EventType type() {
        return EventType.LOG_LINE;
    }

    @Override
    public void encode(RecordOutput out) {
        out.writeLong(seq).writeLong(bytesEnd).writeByte(kind.code).writeBytes(line);
    }

    public static LogLineEvent decode(long captureNanos, RecordInput in) {
        return new LogLineEvent(captureNanos, in.readLong(), in.readLong(), Kind.of(in.readByte()), in.readBytes());
    }
}
