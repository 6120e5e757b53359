package io.hostql.publishers.audit;

import io.hostql.events.Event;
import io.hostql.events.FileSyscallEvent;
import io.hostql.events.ProcessEvent;
import io.hostql.events.SocketEvent;
import io.hostql.events.UserEvent;
import java.util.ArrayList;
import java.util.List;

/** Turns an assembled audit event (its records, SYSCALL first when it arrived) into a typed journal event. */
final class EventBuilder {
    static final int SYSCALL = 1300, PATH = 1302, SOCKADDR = 1306, CWD = 1307, EXECVE = 1309, EOE = 1320, MMAP = 1323, PROCTITLE = 1327;
    /** clone(2) flags: a thread (no new process), and a child given the caller's parent. */
    static final long CLONE_THREAD = 0x10000, CLONE_PARENT = 0x8000;
    static final int FIRST_USER = 1100, LAST_USER = 1199;

    /** The names every syscall event looks up (see {@link AuditRecord.Name}). */
    private static final AuditRecord.Name ARCH = AuditRecord.Name.of("arch"), SYSCALL_NR = AuditRecord.Name.of("syscall"),
            SUCCESS = AuditRecord.Name.of("success"), EXIT = AuditRecord.Name.of("exit"), A0 = AuditRecord.Name.of("a0"),
            SADDR = AuditRecord.Name.of("saddr");

    private EventBuilder() {}

    /**
     * The event for a syscall group: a {@link ProcessEvent} (exec, fork, kill), a {@link SocketEvent} or a
     * {@link FileSyscallEvent}; null when hostql does not audit the syscall, for a clone that made a thread,
     * and for a file syscall that failed (process_file_events has no row for it, as osquery). captureNanos: when the
     * reader took the records off the socket (the event's time, so that a row made again after a restart is the same row).
     */
    static Event syscall(List<AuditRecord> records, boolean complete, long captureNanos) {
        AuditRecord sc = null;
        for (AuditRecord r : records) if (r.type == SYSCALL) {
            sc = r;
            break;
        }
        if (sc == null) return null;
        String name = Syscalls.name(sc.hexNumber(ARCH, 0), sc.number(SYSCALL_NR, -1));
        if (name == null) return null;
        if (Syscalls.isExec(name)) return process(sc, name, records, complete, captureNanos);
        if (Syscalls.isFork(name) || Syscalls.isKill(name)) return forkOrKill(sc, name, complete, captureNanos);
        if (Syscalls.isSocket(name)) return socket(sc, name, records, complete, captureNanos);
        return sc.is(SUCCESS, "yes") ? file(sc, name, records, complete, captureNanos) : null;
    }

    /**
     * Whether {@link #syscall} reads a record of this type for that syscall (null: not known yet, so kept): the reader
     * journals no more of a group than this. An exec reads all (PROCTITLE is its argv when EXECVE is missing), a socket
     * call its SOCKADDR, a file call its CWD, PATH and MMAP, fork and kill their SYSCALL alone.
     */
    static boolean reads(String syscall, int type) {
        if (type == SYSCALL || syscall == null || Syscalls.isExec(syscall)) return true;
        if (Syscalls.isSocket(syscall)) return type == SOCKADDR;
        if (Syscalls.isFork(syscall) || Syscalls.isKill(syscall)) return false;
        return type == CWD || type == PATH || type == MMAP; // a file call
    }

    /**
     * fork, vfork, clone (not a thread's) and kill, tkill, tgkill: the caller's ids and executable; exit is the
     * child's pid for a fork. A clone with CLONE_PARENT makes a sibling: flagged, so its parent is the caller's.
     */
    private static ProcessEvent forkOrKill(AuditRecord sc, String name, boolean complete, long captureNanos) {
        int flags = complete ? 0 : ProcessEvent.INCOMPLETE;
        if (name.equals("clone")) {
            long cloneFlags = sc.hexNumber("a0", 0);
            if ((cloneFlags & CLONE_THREAD) != 0) return null;
            if ((cloneFlags & CLONE_PARENT) != 0) flags |= ProcessEvent.CLONE_PARENT;
        }
        boolean success = sc.is(SUCCESS, "yes");
        long exit = sc.number(EXIT, 0);
        Caller c = Caller.of(sc);
        return new ProcessEvent(captureNanos, sc.millis, sc.serial, name, success, exit, (int) c.pid, (int) c.ppid, c.auid, c.uid,
                c.euid, c.suid, c.fsuid, c.gid, c.egid, c.sgid, c.fsgid, c.ses, c.exe, c.comm, null, new byte[0][], 0, -1, -1, -1, flags);
    }

    /**
     * The caller's ids and names from a SYSCALL record, read in the kernel's order: {@link AuditRecord#find} looks on from
     * the last field found, so a field asked for before the one found last is a search around the whole record.
     */
    private record Caller(long ppid, long pid, long auid, long uid, long gid, long euid, long suid, long fsuid, long egid, long sgid,
            long fsgid, long ses, byte[] comm, byte[] exe) {
        private static final AuditRecord.Name PPID = AuditRecord.Name.of("ppid"), PID = AuditRecord.Name.of("pid"),
                AUID = AuditRecord.Name.of("auid"), UID = AuditRecord.Name.of("uid"), GID = AuditRecord.Name.of("gid"),
                EUID = AuditRecord.Name.of("euid"), SUID = AuditRecord.Name.of("suid"), FSUID = AuditRecord.Name.of("fsuid"),
                EGID = AuditRecord.Name.of("egid"), SGID = AuditRecord.Name.of("sgid"), FSGID = AuditRecord.Name.of("fsgid"),
                SES = AuditRecord.Name.of("ses"), COMM = AuditRecord.Name.of("comm"), EXE = AuditRecord.Name.of("exe");

        static Caller of(AuditRecord sc) {
            return new Caller(sc.number(PPID, -1), sc.number(PID, -1), sc.number(AUID, -1), sc.number(UID, -1), sc.number(GID, -1),
                    sc.number(EUID, -1), sc.number(SUID, -1), sc.number(FSUID, -1), sc.number(EGID, -1), sc.number(SGID, -1),
                    sc.number(FSGID, -1), sc.number(SES, -1), sc.bytes(COMM), sc.bytes(EXE));
        }
    }

    /** A file syscall: the caller, its arguments, CWD, the PATH items by index, and MMAP's fd and flags. */
    private static FileSyscallEvent file(AuditRecord sc, String name, List<AuditRecord> records, boolean complete, long captureNanos) {
        byte[] cwd = null;
        long mmapFd = -1, mmapFlags = -1;
        List<AuditRecord> paths = new ArrayList<>(4);
        for (AuditRecord r : records) {
            switch (r.type) {
                case CWD -> cwd = r.bytes("cwd");
                case PATH -> {
                    if (paths.size() < FileSyscallEvent.MAX_ITEMS) paths.add(r);
                }
                case MMAP -> {
                    mmapFd = r.number("fd", -1);
                    String f = r.raw("flags");
                    if (f != null && f.startsWith("0x")) f = f.substring(2);
                    try {
                        mmapFlags = f == null ? -1 : Long.parseLong(f, 16);
                    } catch (NumberFormatException e) {
                        mmapFlags = -1;
                    }
                }
                default -> { }
            }
        }
        int[] items = new int[paths.size()];
        byte[][] names = new byte[paths.size()][];
        long[] inodes = new long[paths.size()];
        for (int i = 0; i < items.length; i++) {
            AuditRecord p = paths.get(i);
            items[i] = (int) p.number("item", i);
            names[i] = p.bytes("name");
            inodes[i] = p.number("inode", 0);
        }
        long exit = sc.number(EXIT, 0);
        long[] args = {sc.hexNumber("a0", -1), sc.hexNumber("a1", -1), sc.hexNumber("a2", -1), sc.hexNumber("a3", -1)};
        Caller c = Caller.of(sc);
        return new FileSyscallEvent(captureNanos, sc.millis, sc.serial, name, true, exit, (int) c.pid, (int) c.ppid, c.auid, c.uid,
                c.euid, c.suid, c.fsuid, c.gid, c.egid, c.sgid, c.fsgid, c.exe, cwd, args, items, names, inodes, mmapFd, mmapFlags,
                complete ? 0 : FileSyscallEvent.INCOMPLETE);
    }

    private static ProcessEvent process(AuditRecord sc, String name, List<AuditRecord> records, boolean complete, long captureNanos) {
        byte[] cwd = null, proctitle = null;
        AuditRecord firstPath = null;
        Args args = new Args();
        for (AuditRecord r : records) {
            switch (r.type) {
                case EXECVE -> args.add(r);
                case CWD -> cwd = r.bytes("cwd");
                case PATH -> {
                    if (firstPath == null || r.number("item", 1) == 0 && firstPath.number("item", 1) != 0) firstPath = r;
                }
                case PROCTITLE -> proctitle = r.bytes("proctitle");
                default -> { }
            }
        }
        int flags = complete ? 0 : ProcessEvent.INCOMPLETE;
        byte[][] argv = args.argv();
        int argc = args.argc;
        if (argv.length == 0 && proctitle != null) {
            argv = splitNul(proctitle);
            argc = argv.length;
            flags |= ProcessEvent.ARGV_FROM_PROCTITLE;
        }
        int mode = -1;
        long ouid = -1, ogid = -1;
        if (firstPath != null) {
            String m = firstPath.raw("mode");
            if (m != null) {
                try {
                    mode = Integer.parseInt(m, 8);
                } catch (NumberFormatException ignored) {
                    // left -1
                }
            }
            ouid = firstPath.number("ouid", -1);
            ogid = firstPath.number("ogid", -1);
        }
        boolean success = sc.is(SUCCESS, "yes");
        long exit = sc.number(EXIT, 0);
        Caller c = Caller.of(sc);
        return new ProcessEvent(captureNanos, sc.millis, sc.serial, name, success, exit, (int) c.pid, (int) c.ppid, c.auid, c.uid,
                c.euid, c.suid, c.fsuid, c.gid, c.egid, c.sgid, c.fsgid, c.ses, c.exe, c.comm, cwd, argv, argc, mode, ouid, ogid, flags);
    }

    private static SocketEvent socket(AuditRecord sc, String name, List<AuditRecord> records, boolean complete, long captureNanos) {
        byte[] saddr = null;
        for (AuditRecord r : records) if (r.type == SOCKADDR) saddr = r.bytes(SADDR);
        boolean success = sc.is(SUCCESS, "yes");
        long exit = sc.number(EXIT, 0), a0 = sc.hexNumber(A0, -1);
        Caller c = Caller.of(sc);
        return new SocketEvent(captureNanos, sc.millis, sc.serial, name, success, exit, (int) c.pid, (int) c.ppid, c.auid, c.uid, c.euid,
                c.gid, c.egid, c.exe, c.comm, a0, saddr, complete ? 0 : SocketEvent.INCOMPLETE);
    }

    static UserEvent user(AuditRecord r, long captureNanos) {
        String addr = r.raw("addr"), terminal = r.raw("terminal");
        return new UserEvent(captureNanos, r.millis, r.serial, r.type, (int) r.number("pid", -1), r.number("uid", -1),
                r.number("auid", -1), r.number("ses", -1), r.bytes("msg"), r.bytes("exe"), addr, terminal);
    }

    private static byte[][] splitNul(byte[] b) {
        List<byte[]> out = new ArrayList<>();
        int s = 0;
        for (int i = 0; i <= b.length; i++) {
            if (i == b.length || b[i] == 0) {
                if (i > s || i < b.length) out.add(java.util.Arrays.copyOfRange(b, s, i));
                s = i + 1;
            }
        }
        return out.toArray(new byte[0][]);
    }

    /**
     * EXECVE arguments: {@code argc=N a0=.. a1=..}, spread over as many records as needed; an argument
     * too long for one record comes as {@code aN_len=L aN[0]=.. aN[1]=..}, possibly across records.
     */
    static final class Args {
        /** More arguments than execve can pass in its ARG_MAX bytes: a damaged index, never grown to. */
        static final int MAX_ARGS = 1 << 20;
        int argc = -1;
        private final List<byte[]> args = new ArrayList<>();
        private java.io.ByteArrayOutputStream[] pieces;

        void add(AuditRecord r) {
            for (int i = 0; i < r.fieldCount(); i++) {
                String n = r.name(i);
                if (n.equals("argc")) {
                    long v = r.number("argc", -1); // not a number: unknown, as when the record is missing
                    argc = v < 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, v);
                    continue;
                }
                if (n.length() < 2 || n.charAt(0) != 'a' || !Character.isDigit(n.charAt(1))) continue;
                int br = n.indexOf('[');
                int us = n.indexOf('_');
                int end = br > 0 ? br : us > 0 ? us : n.length();
                int idx;
                try {
                    idx = Integer.parseInt(n, 1, end, 10);
                } catch (NumberFormatException e) {
                    continue;
                }
                if (us > 0 && br < 0) continue; // aN_len: the pieces say it all
                if (idx >= MAX_ARGS || argc >= 0 && idx >= argc) continue; // beyond argc: a damaged record, not an argument
                byte[] v = r.bytes(i);
                if (v == null) v = new byte[0];
                if (br > 0) piece(idx).writeBytes(v);
                else set(idx, v);
            }
        }

        private java.io.ByteArrayOutputStream piece(int idx) {
            if (pieces == null || pieces.length <= idx) pieces = java.util.Arrays.copyOf(pieces == null ? new java.io.ByteArrayOutputStream[0] : pieces, idx + 8);
            if (pieces[idx] == null) pieces[idx] = new java.io.ByteArrayOutputStream();
            return pieces[idx];
        }

        private void set(int idx, byte[] v) {
            while (args.size() <= idx) args.add(null);
            args.set(idx, v);
        }

        byte[][] argv() {
            if (pieces != null) for (int i = 0; i < pieces.length; i++) if (pieces[i] != null) set(i, pieces[i].toByteArray());
            int n = args.size();
            while (n > 0 && args.get(n - 1) == null) n--;
            byte[][] out = new byte[n][];
            for (int i = 0; i < n; i++) out[i] = args.get(i) == null ? new byte[0] : args.get(i);
            return out;
        }
    }
}
