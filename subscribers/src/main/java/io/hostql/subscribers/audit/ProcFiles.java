package io.hostql.subscribers.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The few /proc/<pid> reads the audit subscribers make: executable, command line, cgroup, parent, boot time. */
final class ProcFiles {
    private static final Pattern CONTAINER_ID = Pattern.compile("[0-9a-f]{64}");

    private ProcFiles() {}

    static byte[] exe(int pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString().getBytes(StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        }
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

    private static byte[] read(String path) {
        try {
            return Files.readAllBytes(Path.of(path));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
