package io.hostql.events;

/**
 * One user-space audit record (types 1100-1199: logins, authentication, sudo, session start/end),
 * as sent to the kernel by PAM, sshd, sudo and friends. {@code message} is the content of {@code msg='...'}.
 */
public record UserEvent(long captureNanos, long kernelMillis, long serial, int recordType, int pid, long uid, long auid,
        long ses, byte[] message, byte[] exe, String address, String terminal) implements Event {
    @Override
    public EventType type() {
        return EventType.USER;
    }

    @Override
    public void encode(RecordOutput out) {
        out.writeLong(kernelMillis).writeLong(serial).writeInt(recordType).writeInt(pid).writeLong(uid).writeLong(auid)
                .writeLong(ses).writeBytes(message).writeBytes(exe).writeString(address).writeString(terminal);
    }

    public static UserEvent decode(long captureNanos, RecordInput in) {
        return new UserEvent(captureNanos, in.readLong(), in.readLong(), in.readInt(), in.readInt(), in.readLong(), in.readLong(),
                in.readLong(), in.readBytes(), in.readBytes(), in.readString(), in.readString());
    }

    @Override
    public String toString() {
        return "UserEvent[type=" + recordType + " pid=" + pid + " msg=" + ProcessEvent.text(message) + "]";
    }
}
