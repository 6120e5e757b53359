package io.hostql.tables.yara;

import io.hostql.config.Settings;
import io.hostql.config.flags.TableFlags;

/**
 * The yara flags: osquery's enable_yara_sigrule (rules in a query: off, so that a query, a distributed
 * one included, cannot bring its own rules), enable_yara_string (strings of such rules shown),
 * yara_delay (ms between two scans of a query, against memory spikes) and yara_malloc_trim; hostql's
 * yara_scan_timeout (seconds one scan may take).
 */
public record YaraOptions(boolean sigrule, boolean sigruleStrings, long delayMillis, boolean mallocTrim, int timeoutSeconds) {
    public static YaraOptions of(Settings settings) {
        // The declarations' ranges (yara_scan_timeout 0..2^31-1) are checked where the settings are read.
        return new YaraOptions(settings.get(TableFlags.ENABLE_YARA_SIGRULE), settings.get(TableFlags.ENABLE_YARA_STRING),
                settings.get(TableFlags.YARA_DELAY), settings.get(TableFlags.YARA_MALLOC_TRIM),
                Math.toIntExact(settings.get(TableFlags.YARA_SCAN_TIMEOUT)));
    }

    /** Gives the native heap that libyara's scans grew back to the system (glibc keeps freed memory otherwise). */
    public void trim() {
        if (mallocTrim) io.hostql.os.Libc.malloc_trim(0);
    }
}
