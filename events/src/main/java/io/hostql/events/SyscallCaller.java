package io.hostql.events;

/**
 * Who made an audited syscall, and how it ended: the fields a {@link ProcessEvent} and a {@link FileSyscallEvent}
 * both start with, from the event's SYSCALL record. Both records lay them out the same way on disk, written and
 * read here only.
 */
public interface SyscallCaller {
    /** The audit timestamp, in ms. */
    long kernelMillis();

    /** The audit event serial. */
    long serial();

    String syscall();

    boolean success();

    long exit();

    int pid();

    int ppid();

    long auid();

    long uid();

    long euid();

    long suid();

    long fsuid();

    long gid();

    long egid();

    long sgid();

    long fsgid();

    /** The fields as an event's payload starts with them. */
    static void write(SyscallCaller c, RecordOutput out) {
        out.writeLong(c.kernelMillis()).writeLong(c.serial()).writeString(c.syscall()).writeByte(c.success() ? 1 : 0).writeLong(c.exit())
                .writeInt(c.pid()).writeInt(c.ppid()).writeLong(c.auid()).writeLong(c.uid()).writeLong(c.euid()).writeLong(c.suid())
                .writeLong(c.fsuid()).writeLong(c.gid()).writeLong(c.egid()).writeLong(c.sgid()).writeLong(c.fsgid());
    }

    /** What {@link #write} wrote. */
    static Read read(RecordInput in) {
        long kernelMillis = in.readLong(), serial = in.readLong();
        String syscall = in.readString();
        boolean success = in.readByte() != 0;
        long exit = in.readLong();
        int pid = in.readInt(), ppid = in.readInt();
        long auid = in.readLong(), uid = in.readLong(), euid = in.readLong(), suid = in.readLong(), fsuid = in.readLong();
        long gid = in.readLong(), egid = in.readLong(), sgid = in.readLong(), fsgid = in.readLong();
        return new Read(kernelMillis, serial, syscall, success, exit, pid, ppid, auid, uid, euid, suid, fsuid, gid, egid, sgid, fsgid);
    }

    /** The fields as read, on their way into the event's constructor. */
    record Read(long kernelMillis, long serial, String syscall, boolean success, long exit, int pid, int ppid, long auid, long uid,
            long euid, long suid, long fsuid, long gid, long egid, long sgid, long fsgid) implements SyscallCaller {}
}
