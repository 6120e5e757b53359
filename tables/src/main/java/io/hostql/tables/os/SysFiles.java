package io.hostql.tables.os;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The one reader of /proc and /sys pseudo-files for the tables (the process tables' per-query
 * native buffer in process.ProcFs aside). Use it instead of Files.readAllBytes/readString, which
 * are wrong for /proc/sys (see {@link #readBytes}).
 */
public final class SysFiles {
    /** Runs of whitespace, compiled once: splits the fields of a pseudo-file line. */
    public static final java.util.regex.Pattern WS = java.util.regex.Pattern.compile("\\s+");

    private SysFiles() {}

    /** The file's text, trimmed; null when it is missing, unreadable or empty. */
    public static String read(Path file) {
        String s = readRaw(file);
        if (s == null) return null;
        s = s.strip();
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

    public static Long readLong(Path file) {
        String s = read(file);
        if (s == null) return null;
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
