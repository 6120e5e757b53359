package io.hostql.subscribers.audit;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few /proc/<pid> reads the audit subscribers make: executable, command line, cgroup, parent, boot
 * time. Read with libc directly: most processes in an exec storm are gone by the time their row is
 * made, and a Java exception per missing file would cost more than the row.
 */
final class ProcFiles {
    static {
        Native.register(ProcFiles.class, Platform.C_LIBRARY_NAME);
    }

    private static final Pattern CONTAINER_ID = Pattern.compile("[0-9a-f]{64}");
    private static final int O_RDONLY_CLOEXEC = 0x80000, MAX = 1 << 20;

    private ProcFiles() {}

    private static native int open(byte[] path, int flags);

    private static native long read(int fd, byte[] buf, long count);

    private static native int close(int fd);

    private static native long readlink(byte[] path, byte[] buf, long size);

    static byte[] exe(int pid) {
        byte[] buf = new byte[4096];
        long n = readlink(cpath("/proc/" + pid + "/exe"), buf, buf.length);
        return n <= 0 ? null : Arrays.copyOf(buf, (int) n);
    }

    /** argv joined by spaces (the NULs between arguments), null when the process is gone. */
    static byte[] cmdline(int pid) {
        byte[] b = read("/proc/" + pid + "/cmdline");
        if (b == null) return null;
        int n = b.length;
        while (n > 0 && b[n - 1] == 0) n--;
        byte[] out = java.util.Arrays.copyOf(b, n);
        for (int i = 0; i < n; i++) if (out[i] == 0) out[i] = ' ';
        return out;
    }

    /** The parent pid from /proc/<pid>/stat, -1 when gone. */
    static int ppid(int pid) {
        byte[] b = read("/proc/" + pid + "/stat");
        if (b == null) return -1;
        String s = new String(b, StandardCharsets.UTF_8);
        int close = s.lastIndexOf(')');
        if (close < 0) return -1;
        String[] f = s.substring(close + 2).split(" ");
        try {
            return f.length > 1 ? Integer.parseInt(f[1]) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The process's cgroup: the hierarchy naming a container when one does, else the unified (v2)
     * one, else systemd's. Null when the process is gone.
     */
    static String cgroup(int pid) {
        byte[] b = read("/proc/" + pid + "/cgroup");
        if (b == null) return null;
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
    static String containerId(String cgroup) {
        if (cgroup == null) return null;
        Matcher m = CONTAINER_ID.matcher(cgroup);
        String last = null;
        while (m.find()) last = m.group();
        return last;
    }

    /** Boot time (seconds since the epoch), from /proc/stat's btime. */
    static long bootTime() {
        byte[] b = read("/proc/stat");
        if (b != null) {
            for (String line : new String(b, StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("btime ")) return Long.parseLong(line.substring(6).strip());
            }
        }
        return 0;
    }

    /** A small /proc file's bytes, or null when it cannot be opened (the process is gone). */
    private static byte[] read(String path) {
        int fd = open(cpath(path), O_RDONLY_CLOEXEC);
        if (fd < 0) return null;
        try {
            byte[] chunk = new byte[4096];
            byte[] out = new byte[0];
            while (out.length < MAX) {
                long n = read(fd, chunk, chunk.length);
                if (n <= 0) break;
                int len = out.length;
                out = Arrays.copyOf(out, len + (int) n);
                System.arraycopy(chunk, 0, out, len, (int) n);
            }
            return out;
        } finally {
            close(fd);
        }
    }

    private static byte[] cpath(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return Arrays.copyOf(b, b.length + 1);
    }
}
