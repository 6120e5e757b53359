package io.hostql.publishers.uevent;

import io.hostql.os.sysfs.SysFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether systemd-udevd runs, the way libudev decides it (its control socket {@code /run/udev/control}
 * exists) and, because a crashed udevd leaves that socket behind, a live process named systemd-udevd
 * or udevd. The pid found is remembered, so later checks are one stat while it lives.
 */
final class Udevd {
    private final Path control;
    private final Path proc;
    private long pid = -1;

    Udevd(Path control, Path proc) {
        this.control = control;
        this.proc = proc;
    }

    static Udevd system() {
        return new Udevd(Path.of("/run/udev/control"), Path.of("/proc"));
    }

    boolean running() {
        if (!Files.exists(control)) {
            pid = -1;
            return false;
        }
        if (pid > 0 && Files.isDirectory(proc.resolve(Long.toString(pid))) && isUdevd(proc.resolve(Long.toString(pid)))) return true;
        pid = find();
        return pid > 0;
    }

    long pid() {
        return pid;
    }

    private long find() {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(proc)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) continue;
                if (isUdevd(p)) return Long.parseLong(name);
            }
        } catch (IOException | NumberFormatException | SecurityException e) {
            return -1;
        }
        return -1;
    }

    /** /proc/PID/stat is "pid (comm) state ...": a zombie udevd (state Z) is not running. */
    private static boolean isUdevd(Path pidDir) {
        byte[] b = SysFiles.readAttribute(pidDir.resolve("stat"));
        if (b == null) return false;
        String stat = new String(b, StandardCharsets.UTF_8);
        int open = stat.indexOf('('), close = stat.lastIndexOf(')');
        if (open < 0 || close < open || close + 2 >= stat.length()) return false;
        String comm = stat.substring(open + 1, close);
        char state = stat.charAt(close + 2);
        return (comm.equals("systemd-udevd") || comm.equals("udevd")) && state != 'Z' && state != 'X';
    }
}
