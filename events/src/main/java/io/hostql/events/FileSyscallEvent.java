package io.hostql.events;

import java.nio.charset.StandardCharsets;

/**
 * One file syscall as the kernel's audit subsystem reported it (open, openat, creat, read, write, close,
 * dup, mmap, truncate, rename, unlink, link, symlink...), assembled from its SYSCALL, CWD, PATH and MMAP
 * records: what process_file_events needs to follow each process's file descriptors. {@code args} are
 * the syscall's first four arguments (a0..a3); {@code items} are the PATH records by their {@code item}
 * index ({@code names[i]} null when the record had none, {@code inodes[i]} 0 when unknown);
 * {@code mmapFd}/{@code mmapFlags} come from an MMAP record (-1 when none arrived).
 */
public record FileSyscallEvent(long captureNanos, long kernelMillis, long serial, String syscall, boolean success, long exit,
        int pid, int ppid, long auid, long uid, long euid, long suid, long fsuid, long gid, long egid, long sgid, long fsgid,
        byte[] exe, byte[] cwd, long[] args, int[] items, byte[][] names, long[] inodes, long mmapFd, long mmapFlags, int flags)
        implements Event, SyscallCaller {
    /** The event's end (EOE) never arrived: published with the records that did. */
    public static final int INCOMPLETE = 1;
    /** PATH records kept per event: a rename overwriting a file has 5; more means a damaged record. */
    public static final int MAX_ITEMS = 16;

    public FileSyscallEvent {
        if (args.length != 4) throw new IllegalArgumentException("a file syscall has 4 arguments, not " + args.length);
        if (items.length != names.length || items.length != inodes.length) throw new IllegalArgumentException("PATH items differ in length");
    }

    @Override
    public EventType type() {
        return EventType.FILE_SYSCALL;
    }

    /** The PATH record with this item index, or -1. */
    public int item(int index) {
        for (int i = 0; i < items.length; i++) if (items[i] == index) return i;
        return -1;
    }

    @Override
    public void encode(RecordOutput out) {
        SyscallCaller.write(this, out);
        out.writeBytes(exe).writeBytes(cwd);
        for (long a : args) out.writeLong(a);
        out.writeInt(items.length);
        for (int i = 0; i < items.length; i++) out.writeInt(items[i]).writeBytes(names[i]).writeLong(inodes[i]);
        out.writeLong(mmapFd).writeLong(mmapFlags).writeInt(flags);
    }

    public static FileSyscallEvent decode(long captureNanos, RecordInput in) {
        SyscallCaller.Read c = SyscallCaller.read(in);
        byte[] exe = in.readBytes(), cwd = in.readBytes();
        long[] args = {in.readLong(), in.readLong(), in.readLong(), in.readLong()};
        int n = in.readInt();
        if (n < 0 || n > MAX_ITEMS) throw new CorruptRecordException("file syscall event with " + n + " PATH items");
        int[] items = new int[n];
        byte[][] names = new byte[n][];
        long[] inodes = new long[n];
        for (int i = 0; i < n; i++) {
            items[i] = in.readInt();
            names[i] = in.readBytes();
            inodes[i] = in.readLong();
        }
        return new FileSyscallEvent(captureNanos, c.kernelMillis(), c.serial(), c.syscall(), c.success(), c.exit(), c.pid(), c.ppid(),
                c.auid(), c.uid(), c.euid(), c.suid(), c.fsuid(), c.gid(), c.egid(), c.sgid(), c.fsgid(), exe, cwd, args, items, names, inodes,
                in.readLong(), in.readLong(), in.readInt());
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("FileSyscallEvent[").append(syscall).append(" pid=").append(pid).append(" exit=").append(exit);
        for (int i = 0; i < items.length; i++) {
            b.append(" item").append(items[i]).append('=').append(names[i] == null ? "null" : new String(names[i], StandardCharsets.UTF_8));
        }
        return b.append(" serial=").append(serial).append(']').toString();
    }
}
