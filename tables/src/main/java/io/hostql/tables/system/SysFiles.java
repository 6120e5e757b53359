package io.hostql.tables.system;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/** Small readers for /proc and /sys pseudo-files. */
public final class SysFiles {
    /** Runs of whitespace, compiled once. */
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

    /** Parses a kernel CPU list such as "0-3,8,10-11". */
    public static java.util.List<Integer> parseCpuList(String list) {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        if (list == null) return out;
        for (String part : list.strip().split(",")) {
            if (part.isEmpty()) continue;
            int dash = part.indexOf('-');
            try {
                if (dash < 0) {
                    out.add(Integer.parseInt(part.strip()));
                } else {
                    int a = Integer.parseInt(part.substring(0, dash).strip());
                    int b = Integer.parseInt(part.substring(dash + 1).strip());
                    for (int i = a; i <= b; i++) out.add(i);
                }
            } catch (NumberFormatException e) {
                // a malformed range adds nothing
            }
        }
        return out;
    }
}
