package io.hostql.publishers.audit;

import io.hostql.events.Event;
import io.hostql.events.FileSyscallEvent;
import io.hostql.events.ProcessEvent;
import io.hostql.events.SocketEvent;
import io.hostql.events.UserEvent;
import io.hostql.publishers.audit.AuditRecord.Name;
import java.util.ArrayList;
import java.util.List;

/** Turns an assembled audit event (its records, SYSCALL first when it arrived) into a typed journal event. */
final class EventBuilder {
    static final int SYSCALL = 1300, PATH = 1302, SOCKADDR = 1306, CWD = 1307, EXECVE = 1309, EOE = 1320, MMAP = 1323, PROCTITLE = 1327;
    /** clone(2) flags: a thread (no new process), and a child given the caller's parent. */
    static final long CLONE_THREAD = 0x10000, CLONE_PARENT = 0x8000;
    static final int FIRST_USER = 1100, LAST_USER = 1199;

    private EventBuilder() {}

    /**
     * The field names the events look up, each made once as a {@link Name} (a lookup then compares bytes and makes
     * nothing): one constant per name, shared by every kind of event.
     */
    private static final class Field {
        /** A SYSCALL record's: the call and its outcome, the caller, the first arguments. */
        static final Name ARCH = Name.of("arch"), SYSCALL = Name.of("syscall"), SUCCESS = Name.of("success"), EXIT = Name.of("exit"),
                A0 = Name.of("a0"), A1 = Name.of("a1"), A2 = Name.of("a2"), A3 = Name.of("a3"), PPID = Name.of("ppid"),
                PID = Name.of("pid"), AUID = Name.of("auid"), UID = Name.of("uid"), GID = Name.of("gid"), EUID = Name.of("euid"),
                SUID = Name.of("suid"), FSUID = Name.of("fsuid"), EGID = Name.of("egid"), SGID = Name.of("sgid"),
                FSGID = Name.of("fsgid"), SES = Name.of("ses"), COMM = Name.of("comm"), EXE = Name.of("exe");
        /** The other records': CWD, PATH, MMAP, PROCTITLE, EXECVE, SOCKADDR; a user message's. */
        static final Name CWD = Name.of("cwd"), ITEM = Name.of("item"), NAME = Name.of("name"), INODE = Name.of("inode"),
                MODE = Name.of("mode"), OUID = Name.of("ouid"), OGID = Name.of("ogid"), FD = Name.of("fd"), FLAGS = Name.of("flags"),
                PROCTITLE = Name.of("proctitle"), SADDR = Name.of("saddr"), MSG = Name.of("msg"),
                ADDR = Name.of("addr"), TERMINAL = Name.of("terminal");

        private Field() {}
    }

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
        String name = Syscalls.name(sc.hexNumber(Field.ARCH, 0), sc.number(Field.SYSCALL, -1));
        if (name == null) return null;
        if (Syscalls.isExec(name)) return process(sc, name, records, complete, captureNanos);
        if (Syscalls.isFork(name) || Syscalls.isKill(name)) return forkOrKill(sc, name, complete, captureNanos);
        if (Syscalls.isSocket(name)) return socket(sc, name, records, complete, captureNanos);
        return sc.is(Field.SUCCESS, "yes") ? file(sc, name, records, complete, captureNanos) : null;
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
            long cloneFlags = sc.hexNumber(Field.A0, 0);
            if ((cloneFlags & CLONE_THREAD) != 0) return null;
            if ((cloneFlags & CLONE_PARENT) != 0) flags |= ProcessEvent.CLONE_PARENT;
        }
        boolean success = sc.is(Field.SUCCESS, "yes");
        long exit = sc.number(Field.EXIT, 0);
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
        static Caller of(AuditRecord sc) {
            return new Caller(sc.number(Field.PPID, -1), sc.number(Field.PID, -1), sc.number(Field.AUID, -1), sc.number(Field.UID, -1),
                    sc.number(Field.GID, -1), sc.number(Field.EUID, -1), sc.number(Field.SUID, -1), sc.number(Field.FSUID, -1),
                    sc.number(Field.EGID, -1), sc.number(Field.SGID, -1), sc.number(Field.FSGID, -1), sc.number(Field.SES, -1),
                    sc.bytes(Field.COMM), sc.bytes(Field.EXE));
        }
    }

    /** A file syscall: the caller, its arguments, CWD, the PATH items by index, and MMAP's fd and flags. */
    private static FileSyscallEvent file(AuditRecord sc, String name, List<AuditRecord> records, boolean complete, long captureNanos) {
        byte[] cwd = null;
        long mmapFd = -1, mmapFlags = -1;
        List<AuditRecord> paths = new ArrayList<>(4);
        for (AuditRecord r : records) {
            switch (r.type) {
                case CWD -> cwd = r.bytes(Field.CWD);
                case PATH -> {
                    if (paths.size() < FileSyscallEvent.MAX_ITEMS) paths.add(r);
                }
                case MMAP -> {
                    mmapFd = r.number(Field.FD, -1);
                    String f = r.raw(Field.FLAGS);
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
            items[i] = (int) p.number(Field.ITEM, i);
            names[i] = p.bytes(Field.NAME);
            inodes[i] = p.number(Field.INODE, 0);
        }
        long exit = sc.number(Field.EXIT, 0);
        long[] args = {sc.hexNumber(Field.A0, -1), sc.hexNumber(Field.A1, -1), sc.hexNumber(Field.A2, -1), sc.hexNumber(Field.A3, -1)};
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
                case CWD -> cwd = r.bytes(Field.CWD);
                case PATH -> {
                    if (firstPath == null || r.number(Field.ITEM, 1) == 0 && firstPath.number(Field.ITEM, 1) != 0) firstPath = r;
                }
                case PROCTITLE -> proctitle = r.bytes(Field.PROCTITLE);
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
            String m = firstPath.raw(Field.MODE);
            if (m != null) {
                try {
                    mode = Integer.parseInt(m, 8);
                } catch (NumberFormatException ignored) {
                    // left -1
                }
            }
            ouid = firstPath.number(Field.OUID, -1);
            ogid = firstPath.number(Field.OGID, -1);
        }
        boolean success = sc.is(Field.SUCCESS, "yes");
        long exit = sc.number(Field.EXIT, 0);
        Caller c = Caller.of(sc);
        return new ProcessEvent(captureNanos, sc.millis, sc.serial, name, success, exit, (int) c.pid, (int) c.ppid, c.auid, c.uid,
                c.euid, c.suid, c.fsuid, c.gid, c.egid, c.sgid, c.fsgid, c.ses, c.exe, c.comm, cwd, argv, argc, mode, ouid, ogid, flags);
    }

    private static SocketEvent socket(AuditRecord sc, String name, List<AuditRecord> records, boolean complete, long captureNanos) {
        byte[] saddr = null;
        for (AuditRecord r : records) if (r.type == SOCKADDR) saddr = r.bytes(Field.SADDR);
        boolean success = sc.is(Field.SUCCESS, "yes");
        long exit = sc.number(Field.EXIT, 0), a0 = sc.hexNumber(Field.A0, -1);
        Caller c = Caller.of(sc);
        return new SocketEvent(captureNanos, sc.millis, sc.serial, name, success, exit, (int) c.pid, (int) c.ppid, c.auid, c.uid, c.euid,
                c.gid, c.egid, c.exe, c.comm, a0, saddr, complete ? 0 : SocketEvent.INCOMPLETE);
    }

    static UserEvent user(AuditRecord r, long captureNanos) {
        String addr = r.raw(Field.ADDR), terminal = r.raw(Field.TERMINAL);
        return new UserEvent(captureNanos, r.millis, r.serial, r.type, (int) r.number(Field.PID, -1), r.number(Field.UID, -1),
                r.number(Field.AUID, -1), r.number(Field.SES, -1), r.bytes(Field.MSG), r.bytes(Field.EXE), addr, terminal);
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
                    long v = r.number(i, -1); // not a number: unknown, as when the record is missing
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
