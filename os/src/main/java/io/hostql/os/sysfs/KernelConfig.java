package io.hostql.os.sysfs;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * The running kernel's build options (the {@code CONFIG_*} lines): {@code /boot/config-<release>}, as Debian and most
 * distributions install it, else {@code /proc/config.gz} (CONFIG_IKCONFIG_PROC). Build constants such as HZ are
 * told nowhere else: no syscall or sysctl gives them.
 *
 * @param source the file the options were read from; null when neither could be read
 */
public record KernelConfig(String source, String text) {
    public static final KernelConfig UNKNOWN = new KernelConfig(null, "");

    /** The running kernel's, or {@link #UNKNOWN}. */
    public static KernelConfig running() {
        String release = SysFiles.sysctl("kernel/osrelease");
        if (release != null) {
            Path boot = Path.of("/boot/config-" + release);
            byte[] b = SysFiles.readBytes(boot);
            if (b != null && b.length > 0) return new KernelConfig(boot.toString(), new String(b, StandardCharsets.UTF_8));
        }
        byte[] gz = SysFiles.readBytes(Path.of("/proc/config.gz"));
        if (gz != null && gz.length > 0) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
                return new KernelConfig("/proc/config.gz", new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                return UNKNOWN; // not gzip after all: nothing to tell
            }
        }
        return UNKNOWN;
    }

    /** A build option's value as the file has it ("250" for CONFIG_HZ, "y"), or null when it is not set. */
    public String option(String name) {
        String key = name + "=";
        int from = 0;
        while (from < text.length()) {
            int end = text.indexOf('\n', from);
            if (end < 0) end = text.length();
            if (text.startsWith(key, from)) return text.substring(from + key.length(), end).strip();
            from = end + 1;
        }
        return null;
    }

    /** CONFIG_HZ, the jiffies per second; 0 when unknown. */
    public int hz() {
        String v = option("CONFIG_HZ");
        if (v == null) return 0;
        try {
            int hz = Integer.parseInt(v);
            return hz > 0 ? hz : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
