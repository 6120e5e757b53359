package io.hostql.events;

/**
 * One socket syscall (bind, connect, accept, accept4) as audit reported it: the SYSCALL record's
 * process identity, its first argument (the socket descriptor) and result, and the SOCKADDR record's
 * raw {@code struct sockaddr} bytes (null when the kernel sent none).
 */
public record SocketEvent(long captureNanos, long kernelMillis, long serial, String syscall, boolean success, long exit,
        int pid, int ppid, long auid, long uid, long euid, long gid, long egid, byte[] exe, byte[] comm, long a0,
        byte[] sockaddr, int flags) implements Event {
    /** The event's end (EOE) never arrived: published with the records that did. */
    public static final int INCOMPLETE = 1;

    @Override
    public EventType type() {
        return EventType.SOCKET;
    }

    @Override
    public void encode(RecordOutput out) {
        out.writeLong(kernelMillis).writeLong(serial).writeString(syscall).writeByte(success ? 1 : 0).writeLong(exit)
                .writeInt(pid).writeInt(ppid).writeLong(auid).writeLong(uid).writeLong(euid).writeLong(gid).writeLong(egid)
                .writeBytes(exe).writeBytes(comm).writeLong(a0).writeBytes(sockaddr).writeInt(flags);
    }

    public static SocketEvent decode(long captureNanos, RecordInput in) {
        long kernelMillis = in.readLong(), serial = in.readLong();
        String syscall = in.readString();
        boolean success = in.readByte() != 0;
        return new SocketEvent(captureNanos, kernelMillis, serial, syscall, success, in.readLong(), in.readInt(), in.readInt(),
                in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readBytes(), in.readBytes(),
                in.readLong(), in.readBytes(), in.readInt());
    }

    @Override
    public String toString() {
        return "SocketEvent[" + syscall + " pid=" + pid + " exe=" + ProcessEvent.text(exe) + " exit=" + exit + " serial=" + serial + "]";
    }
}
