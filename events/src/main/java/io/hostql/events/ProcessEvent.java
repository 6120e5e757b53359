package io.hostql.events;

import java.nio.charset.StandardCharsets;

/**
 * One program execution (execve/execveat), or a fork (fork, vfork, clone: {@code exit} is the child's pid)
 * or a signal sent (kill, tkill, tgkill), as the kernel's audit subsystem reported it, assembled from
 * its SYSCALL, EXECVE, CWD, PATH and PROCTITLE records. Paths and arguments stay raw bytes (Linux does
 * not promise UTF-8). {@code mode}, {@code ouid}, {@code ogid} come from the first PATH record (-1 when
 * none arrived). {@code kernelMillis} is the audit timestamp, {@code serial} the audit event serial.
 */
public record ProcessEvent(long captureNanos, long kernelMillis, long serial, String syscall, boolean success, long exit,
        int pid, int ppid, long auid, long uid, long euid, long suid, long fsuid, long gid, long egid, long sgid, long fsgid,
        long ses, byte[] exe, byte[] comm, byte[] cwd, byte[][] argv, int argc, int mode, long ouid, long ogid, int flags)
        implements Event, SyscallCaller {
    /** The event's end (EOE) never arrived: published with the records that did. */
    public static final int INCOMPLETE = 1;
    /** No EXECVE record arrived; argv is PROCTITLE's (the kernel truncates it to 128 bytes). */
    public static final int ARGV_FROM_PROCTITLE = 2;
    /** A clone with CLONE_PARENT: the child's parent is the caller's parent ({@code ppid}), not the caller. */
    public static final int CLONE_PARENT = 4;

    @Override
    public EventType type() {
        return EventType.PROCESS;
    }

    @Override
    public void encode(RecordOutput out) {
        SyscallCaller.write(this, out);
        out.writeLong(ses).writeBytes(exe).writeBytes(comm).writeBytes(cwd);
        out.writeInt(argv.length);
        for (byte[] a : argv) out.writeBytes(a);
        out.writeInt(argc).writeInt(mode).writeLong(ouid).writeLong(ogid).writeInt(flags);
    }

    public static ProcessEvent decode(long captureNanos, RecordInput in) {
        SyscallCaller.Read c = SyscallCaller.read(in);
        long ses = in.readLong();
        byte[] exe = in.readBytes(), comm = in.readBytes(), cwd = in.readBytes();
        int n = in.readInt();
        // each argument takes at least its 4-byte length: a damaged count must not allocate for millions first
        if (n < 0 || n > 1_000_000 || n > in.remaining() / 4) {
            throw new CorruptRecordException("process event with " + n + " arguments in " + in.remaining() + " bytes");
        }
        byte[][] argv = new byte[n][];
        for (int i = 0; i < n; i++) argv[i] = in.readBytes();
        return new ProcessEvent(captureNanos, c.kernelMillis(), c.serial(), c.syscall(), c.success(), c.exit(), c.pid(), c.ppid(), c.auid(),
                c.uid(), c.euid(), c.suid(), c.fsuid(), c.gid(), c.egid(), c.sgid(), c.fsgid(), ses, exe, comm, cwd, argv, in.readInt(),
                in.readInt(), in.readLong(), in.readLong(), in.readInt());
    }

    /** argv joined by spaces, as osquery's cmdline (bytes kept as they are). */
    public byte[] cmdline() {
        int len = Math.max(0, argv.length - 1);
        for (byte[] a : argv) len += a.length;
        byte[] out = new byte[len];
        int off = 0;
        for (int i = 0; i < argv.length; i++) {
            if (i > 0) out[off++] = ' ';
            System.arraycopy(argv[i], 0, out, off, argv[i].length);
            off += argv[i].length;
        }
        return out;
    }

    @Override
    public String toString() {
        return "ProcessEvent[" + syscall + " pid=" + pid + " ppid=" + ppid + " exe=" + text(exe) + " cmdline=" + text(cmdline())
                + " serial=" + serial + " flags=" + flags + "]";
    }

    static String text(byte[] b) {
        return b == null ? "null" : new String(b, StandardCharsets.UTF_8);
    }
}
