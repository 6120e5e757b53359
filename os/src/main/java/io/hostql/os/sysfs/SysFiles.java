package io.hostql.os.sysfs;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The one reader of /proc and /sys pseudo-files by path (the per-process reads through a native buffer
 * are io.hostql.os.proc.ProcFs). Use it instead of Files.readAllBytes/readString, which are wrong for
 * /proc/sys (see {@link #readBytes}).
 */
public final class SysFiles {
    /** Runs of whitespace, compiled once: splits the fields of a pseudo-file line. */
    public static final java.util.regex.Pattern WS = java.util.regex.Pattern.compile("\\s+");

    private SysFiles() {}

    /** The file's text, trimmed; null when it is missing, unreadable or empty. */
    public static String read(Path file) {
        return trimmed(readBytes(file));
    }

    private static String trimmed(byte[] b) {
        if (b == null) return null;
        String s = new String(b, StandardCharsets.UTF_8).strip();
        return s.isEmpty() ? null : s;
    }

    /** The file's text as is, or null when it is missing or unreadable. */
    public static String readRaw(Path file) {
        byte[] b = readBytes(file);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /**
     * The whole file, read with a large first read(2). Files.readAllBytes is wrong for /proc/sys: it
     * probes a zero-size file with a one-byte read, and sysctl handlers answer a read at offset 1 with EOF
     * ("4096\t131072\t6291456" comes back as "4").
     */
    public static byte[] readBytes(Path file) {
        try (InputStream in = new FileInputStream(file.toFile())) {
            byte[] buf = new byte[65536];
            int n = in.read(buf);
            if (n <= 0) return new byte[0];
            int total = n;
            while ((n = in.read(buf, total, buf.length - total)) > 0) {
                total += n;
                if (total == buf.length) buf = Arrays.copyOf(buf, buf.length * 2);
            }
            return Arrays.copyOf(buf, total);
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return null;
        }
    }

    /**
     * A kernel setting under /proc/sys, by its path there ("fs/inotify/max_user_watches", "kernel/hostname": slashes, since a
     * name such as an interface's may hold dots), trimmed; null when it is missing or unreadable.
     */
    public static String sysctl(String name) {
        return read(Path.of("/proc/sys").resolve(name));
    }

    public static Long readLong(Path file) {
        String s = read(file);
        if (s == null) return null;
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * One read(2) of up to 8 KiB, for a sysfs attribute or a small /proc file that the kernel renders whole
     * in the first read (a device scan reads thousands: no loop to EOF, no large buffer). Null when it is
     * missing or unreadable.
     */
    public static byte[] readAttribute(Path file) {
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            byte[] buf = new byte[8192];
            int n = in.read(buf);
            return n <= 0 ? new byte[0] : Arrays.copyOf(buf, n);
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    /** A sysfs attribute's text ({@link #readAttribute}), trimmed; null when missing, unreadable or blank. */
    public static String attribute(Path file) {
        return trimmed(readAttribute(file));
    }

    /** The last name of a symlink's target (a device's driver, subsystem), or null when it is no link. */
    public static String linkName(Path link) {
        try {
            Path target = Files.readSymbolicLink(link);
            Path name = target.getFileName();
            return name == null ? null : name.toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }
}
