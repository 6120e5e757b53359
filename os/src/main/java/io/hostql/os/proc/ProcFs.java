package io.hostql.os.proc;

import com.sun.jna.Memory;
import io.hostql.os.Libc;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one /proc reader: files and links read through libc into one reusable native buffer. The process
 * tables read several small files per process, and java.io's per-file setup would dominate; the audit
 * subscribers read a few files of a process that is often gone by then, and a Java exception per missing
 * file would cost more than the row. An instance is not thread-safe (one per query); the static
 * per-process reads ({@link #exe}, {@link #cmdline}, ...) use one instance per thread.
 */
public final class ProcFs {
    public static final String PROC = "/proc";
    private static final ThreadLocal<ProcFs> PER_THREAD = ThreadLocal.withInitial(() -> new ProcFs(4096));

    private Memory buf;
    private final long[] statBuf = new long[18];

    public ProcFs() {
        this(16 * 1024);
    }

    public ProcFs(int initialSize) {
        buf = new Memory(initialSize);
    }

    /** "/proc/<pid>/" as bytes, to append file names to. */
    public static byte[] pidDir(long pid) {
        return (PROC + "/" + pid + "/").getBytes(StandardCharsets.US_ASCII);
    }

    /** dir + name + NUL, for libc; name is ASCII. */
    public static byte[] cpath(byte[] dir, String name) {
        byte[] out = new byte[dir.length + name.length() + 1];
        System.arraycopy(dir, 0, out, 0, dir.length);
        for (int i = 0; i < name.length(); i++) out[dir.length + i] = (byte) name.charAt(i);
        return out;
    }

    /** dir + name, to append more to; name is ASCII. */
    public static byte[] join(byte[] dir, String name) {
        byte[] c = cpath(dir, name);
        return Arrays.copyOf(c, c.length - 1);
    }

    /** The whole file, or null if it cannot be opened or read (a process that exited, no permission). */
    public byte[] read(byte[] cpath) {
        int n = load(cpath, false);
        return n < 0 ? null : buf.getByteArray(0, n);
    }

    /**
     * Like {@link #read}, for files the kernel renders in one piece (stat, status, io, cgroup, cmdline):
     * a short read is the end, which saves the read that would return 0. Not for multi-record files
     * (maps, net/*), whose reads stop at page boundaries.
     */
    public byte[] readWhole(byte[] cpath) {
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
    public byte[] readLink(byte[] cpath) {
        while (true) {
            long n = Libc.readlink(cpath, buf, buf.size());
            if (n < 0) return null;
            if (n < buf.size()) return buf.getByteArray(0, (int) n);
            grow();
        }
    }

    /** {st_dev, st_ino} of a path (following links), or null if it does not exist or cannot be reached. */
    public long[] devIno(byte[] cpath) {
        if (Libc.stat(cpath, statBuf) != 0) return null;
        return new long[] {statBuf[0], statBuf[1]};
    }

    public boolean exists(byte[] cpath) {
        return Libc.stat(cpath, statBuf) == 0;
    }

    private void grow() {
        long size = buf.size() * 2;
        if (size > Integer.MAX_VALUE - 16) throw new IllegalStateException("/proc file larger than 2 GB");
        buf = new Memory(size);
    }

    // ---- process lists ------------------------------------------------------------------------

    /** Every process id under /proc (thread group leaders only, as readdir lists them). */
    public static long[] allPids() {
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
    public static long[] fds(long pid) {
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

    /** Whether /proc/pid is a thread group leader (its Tgid is itself). */
    public boolean isProcess(long pid) {
        byte[] status = readWhole(cpath(pidDir(pid), "status"));
        if (status == null) return false;
        int i = indexOf(status, TGID, 0);
        if (i < 0) return false;
        return parseLong(status, i + TGID.length, status.length) == pid;
    }

    private static final byte[] TGID = "\nTgid:".getBytes(StandardCharsets.US_ASCII);

    // ---- one process at a time, for the event side (a per-thread instance) ---------------------

    private static final Pattern CONTAINER_ID = Pattern.compile("[0-9a-f]{64}");
    private static final byte[] BTIME = "\nbtime ".getBytes(StandardCharsets.US_ASCII);

    /** The executable's path (the /proc/pid/exe link) as raw bytes, null when the process is gone. */
    public static byte[] exe(long pid) {
        return PER_THREAD.get().readLink(cpath(pidDir(pid), "exe"));
    }

    /** argv joined by spaces (the NULs between arguments), null when the process is gone. */
    public static byte[] cmdline(long pid) {
        byte[] b = PER_THREAD.get().readWhole(cpath(pidDir(pid), "cmdline"));
        if (b == null) return null;
        int n = b.length;
        while (n > 0 && b[n - 1] == 0) n--;
        byte[] out = Arrays.copyOf(b, n);
        for (int i = 0; i < n; i++) if (out[i] == 0) out[i] = ' ';
        return out;
    }

    /** The process's name (/proc/pid/comm, at most 15 bytes, as the kernel keeps it), null when it is gone. */
    public static String comm(long pid) {
        byte[] b = PER_THREAD.get().readWhole(cpath(pidDir(pid), "comm"));
        if (b == null) return null;
        int n = b.length;
        if (n > 0 && b[n - 1] == '\n') n--;
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    /** The parent pid from /proc/pid/stat (the field after the state, which follows the last ')'), -1 when gone. */
    public static int ppid(long pid) {
        byte[] b = PER_THREAD.get().readWhole(cpath(pidDir(pid), "stat"));
        if (b == null) return -1;
        int close = b.length;
        while (close > 0 && b[close - 1] != ')') close--;
        if (close == 0) return -1;
        int sp = indexOf(b, (byte) ' ', close + 1, b.length); // ") S 123 ..."
        if (sp < 0) return -1;
        long v = parseLong(b, sp + 1, b.length);
        return v == Long.MIN_VALUE || v > Integer.MAX_VALUE ? -1 : (int) v;
    }

    /**
     * The process's cgroup: the hierarchy naming a container when one does, else the unified (v2)
     * one, else systemd's. Null when the process is gone.
     */
    public static String cgroup(long pid) {
        byte[] b = cgroupFile(pid);
        return b == null ? null : cgroupIn(b);
    }

    /** /proc/pid/cgroup as the kernel renders it, null when the process is gone: for a caller that parses each distinct one once. */
    public static byte[] cgroupFile(long pid) {
        return PER_THREAD.get().readWhole(cpath(pidDir(pid), "cgroup"));
    }

    /** The cgroup {@link #cgroup} picks from a /proc/pid/cgroup file's content. */
    public static String cgroupIn(byte[] b) {
        String unified = null, systemd = null, first = null;
        for (String line : new String(b, StandardCharsets.UTF_8).split("\n")) {
            int c1 = line.indexOf(':'), c2 = c1 < 0 ? -1 : line.indexOf(':', c1 + 1);
            if (c2 < 0) continue;
            String path = line.substring(c2 + 1);
            if (CONTAINER_ID.matcher(path).find()) return path;
            if (line.startsWith("0::")) unified = path;
            else if (line.substring(c1 + 1, c2).equals("name=systemd")) systemd = path;
            if (first == null) first = path;
        }
        return unified != null ? unified : systemd != null ? systemd : first;
    }

    /** The container id in a cgroup path (docker, containerd, CRI-O, podman: 64 hex digits), or null. */
    public static String containerId(String cgroup) {
        if (cgroup == null) return null;
        Matcher m = CONTAINER_ID.matcher(cgroup);
        String last = null;
        while (m.find()) last = m.group();
        return last;
    }

    /** Boot time in seconds since the epoch (/proc/stat's btime), 0 when it cannot be read. */
    public static long bootTime() {
        byte[] b = PER_THREAD.get().read((PROC + "/stat\0").getBytes(StandardCharsets.US_ASCII));
        if (b == null) return 0;
        int i = indexOf(b, BTIME, 0);
        if (i < 0) return 0;
        long v = parseLong(b, i + BTIME.length, b.length);
        return v == Long.MIN_VALUE ? 0 : v;
    }

    // ---- byte parsing (no regex, no exceptions) -----------------------------------------------

    /** A decimal number of 1..18 digits, or -1. */
    public static long parsePositive(String s) {
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
    public static long parseLong(byte[] b, int from, int to) {
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
    public static long parseHex(byte[] b, int from, int to) {
        if (from >= to) return -1;
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = Character.digit(b[i], 16);
            if (d < 0) return -1;
            v = (v << 4) | d;
        }
        return v;
    }

    public static int indexOf(byte[] b, byte[] needle, int from) {
        outer:
        for (int i = from; i <= b.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) if (b[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    public static int indexOf(byte[] b, byte c, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] == c) return i;
        return -1;
    }

    public static boolean startsWith(byte[] b, int from, int to, byte[] prefix) {
        if (to - from < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) if (b[from + i] != prefix[i]) return false;
        return true;
    }

    public static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f';
    }

    /** b[from, to) with ASCII whitespace trimmed at both ends. */
    public static byte[] trimmed(byte[] b, int from, int to) {
        while (from < to && isSpace(b[from])) from++;
        while (to > from && isSpace(b[to - 1])) to--;
        return Arrays.copyOfRange(b, from, to);
    }

    /** The inode in a "socket:[123]"-style link target, or -1. */
    public static long bracketedInode(byte[] link, byte[] prefix) {
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
