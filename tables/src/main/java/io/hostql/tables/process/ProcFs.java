package io.hostql.tables.process;

import com.sun.jna.Memory;
import io.hostql.sql.table.Constraint;
import io.hostql.sql.table.ConstraintOp;
import io.hostql.sql.table.QueryContext;
import io.hostql.tables.os.Libc;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads /proc files and links through libc into one reusable native buffer: the process tables
 * read several small files per process, and java.io's per-file setup would dominate. Not thread-safe;
 * one instance per query.
 */
final class ProcFs {
    static final String PROC = "/proc";

    private Memory buf;
    private final long[] statBuf = new long[18];

    ProcFs() {
        this(16 * 1024);
    }

    ProcFs(int initialSize) {
        buf = new Memory(initialSize);
    }

    /** "/proc/<pid>/" as bytes, to append file names to. */
    static byte[] pidDir(long pid) {
        return (PROC + "/" + pid + "/").getBytes(StandardCharsets.US_ASCII);
    }

    /** dir + name + NUL, for libc; name is ASCII. */
    static byte[] cpath(byte[] dir, String name) {
        byte[] out = new byte[dir.length + name.length() + 1];
        System.arraycopy(dir, 0, out, 0, dir.length);
        for (int i = 0; i < name.length(); i++) out[dir.length + i] = (byte) name.charAt(i);
        return out;
    }

    /** dir + name, to append more to; name is ASCII. */
    static byte[] join(byte[] dir, String name) {
        byte[] c = cpath(dir, name);
        return Arrays.copyOf(c, c.length - 1);
    }

    static byte[] cpath(byte[] path) {
        return Arrays.copyOf(path, path.length + 1);
    }

    /** The whole file, or null if it cannot be opened or read (a process that exited, no permission). */
    byte[] read(byte[] cpath) {
        int n = load(cpath, false);
        return n < 0 ? null : buf.getByteArray(0, n);
    }

    /**
     * Like {@link #read}, for files the kernel renders in one piece (stat, status, io, cgroup, cmdline):
     * a short read is the end, which saves the read that would return 0. Not for multi-record files
     * (maps, net/*), whose reads stop at page boundaries.
     */
    byte[] readWhole(byte[] cpath) {
        int n = load(cpath, true);
        return n < 0 ? null : buf.getByteArray(0, n);
    }

    /** Loads the file into the native buffer; its length, or -1. */
    private int load(byte[] cpath, boolean shortReadEnds) {
        int fd = Libc.open(cpath, Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (fd < 0) return -1;
        try {
            long total = 0;
            while (true) {
                if (total == buf.size()) grow();
                long want = buf.size() - total;
                long n = Libc.read(fd, buf.share(total), want);
                if (n < 0) return -1;
                total += n;
                if (n == 0 || (shortReadEnds && n < want)) return (int) total;
            }
        } finally {
            Libc.close(fd);
        }
    }

    /** The target of a symlink as raw bytes, or null. */
    byte[] readLink(byte[] cpath) {
        while (true) {
            long n = Libc.readlink(cpath, buf, buf.size());
            if (n < 0) return null;
            if (n < buf.size()) return buf.getByteArray(0, (int) n);
            grow();
        }
    }

    /** {st_dev, st_ino} of a path (following links), or null if it does not exist or cannot be reached. */
    long[] devIno(byte[] cpath) {
        if (Libc.stat(cpath, statBuf) != 0) return null;
        return new long[] {statBuf[0], statBuf[1]};
    }

    boolean exists(byte[] cpath) {
        return Libc.stat(cpath, statBuf) == 0;
    }

    private void grow() {
        long size = buf.size() * 2;
        if (size > Integer.MAX_VALUE - 16) throw new IllegalStateException("/proc file larger than 2 GB");
        buf = new Memory(size);
    }

    // ---- process lists ------------------------------------------------------------------------

    /** Every process id under /proc (thread group leaders only, as readdir lists them). */
    static long[] allPids() {
        String[] names = new File(PROC).list();
        if (names == null) return new long[0];
        long[] out = new long[names.length];
        int n = 0;
        for (String name : names) {
            long pid = parsePositive(name);
            if (pid > 0) out[n++] = pid;
        }
        out = Arrays.copyOf(out, n);
        Arrays.sort(out);
        return out;
    }

    /** A process's open descriptor numbers, sorted; null if its fd directory cannot be read (exited, no permission). */
    static long[] fds(long pid) {
        String[] names = new File(PROC + "/" + pid + "/fd").list();
        if (names == null) return null;
        long[] out = new long[names.length];
        int n = 0;
        for (String name : names) {
            long fd = parsePositive(name);
            if (fd >= 0) out[n++] = fd;
        }
        out = Arrays.copyOf(out, n);
        Arrays.sort(out);
        return out;
    }

    /**
     * The pids asked for by {@code pid = n} / {@code pid IN (...)}, or null when the query does not
     * limit pid (then every process is read). Pushdown must never drop rows: any EQ value that is not
     * an integer makes it a full scan.
     */
    static List<Long> requestedPids(QueryContext ctx) {
        List<Long> out = new ArrayList<>();
        boolean any = false;
        for (Constraint c : ctx.constraints("pid")) {
            if (c.op() != ConstraintOp.EQ) continue;
            any = true;
            if (c.value() == null) continue; // pid = NULL matches nothing
            Long v = c.asLong();
            if (v == null || (c.value() instanceof Double d && d != Math.rint(d))) return null;
            if (!out.contains(v)) out.add(v);
        }
        return any ? out : null;
    }

    /**
     * The processes a query reads: the requested ones that exist and are processes (not threads,
     * which /proc also resolves by id but does not list), or all.
     */
    long[] pids(QueryContext ctx) {
        List<Long> wanted = requestedPids(ctx);
        if (wanted == null) return allPids();
        long[] out = new long[wanted.size()];
        int n = 0;
        for (long pid : wanted) if (pid > 0 && isProcess(pid)) out[n++] = pid;
        out = Arrays.copyOf(out, n);
        Arrays.sort(out);
        return out;
    }

    /** Whether /proc/pid is a thread group leader (its Tgid is itself). */
    boolean isProcess(long pid) {
        byte[] status = readWhole(cpath(pidDir(pid), "status"));
        if (status == null) return false;
        int i = indexOf(status, TGID, 0);
        if (i < 0) return false;
        return parseLong(status, i + TGID.length, status.length) == pid;
    }

    private static final byte[] TGID = "\nTgid:".getBytes(StandardCharsets.US_ASCII);

    // ---- byte parsing (no regex, no exceptions) -----------------------------------------------

    /** A decimal number of 1..18 digits, or -1. */
    static long parsePositive(String s) {
        int len = s.length();
        if (len == 0 || len > 18) return -1;
        long v = 0;
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** Decimal integer at b[from..], skipping leading blanks; Long.MIN_VALUE if none. */
    static long parseLong(byte[] b, int from, int to) {
        int i = from;
        while (i < to && (b[i] == ' ' || b[i] == '\t')) i++;
        boolean neg = false;
        if (i < to && b[i] == '-') {
            neg = true;
            i++;
        }
        int start = i;
        long v = 0;
        while (i < to && b[i] >= '0' && b[i] <= '9') v = v * 10 + (b[i++] - '0');
        if (i == start) return Long.MIN_VALUE;
        return neg ? -v : v;
    }

    /** Hex number in b[from, to); -1 if empty or not hex. */
    static long parseHex(byte[] b, int from, int to) {
        if (from >= to) return -1;
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = Character.digit(b[i], 16);
            if (d < 0) return -1;
            v = (v << 4) | d;
        }
        return v;
    }

    static int indexOf(byte[] b, byte[] needle, int from) {
        outer:
        for (int i = from; i <= b.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) if (b[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    static int indexOf(byte[] b, byte c, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] == c) return i;
        return -1;
    }

    static boolean startsWith(byte[] b, int from, int to, byte[] prefix) {
        if (to - from < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) if (b[from + i] != prefix[i]) return false;
        return true;
    }

    static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f';
    }

    /** b[from, to) with ASCII whitespace trimmed at both ends. */
    static byte[] trimmed(byte[] b, int from, int to) {
        while (from < to && isSpace(b[from])) from++;
        while (to > from && isSpace(b[to - 1])) to--;
        return Arrays.copyOfRange(b, from, to);
    }

    /** The inode in a "socket:[123]"-style link target, or -1. */
    static long bracketedInode(byte[] link, byte[] prefix) {
        if (!startsWith(link, 0, link.length, prefix) || link.length < prefix.length + 2) return -1;
        if (link[link.length - 1] != ']') return -1;
        long v = 0;
        for (int i = prefix.length; i < link.length - 1; i++) {
            byte c = link[i];
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
