package io.hostql.tables.yara;

import io.hostql.config.Settings;

/**
 * The yara flags: osquery's enable_yara_sigrule (rules in a query: off, so that a query, a distributed
 * one included, cannot bring its own rules), enable_yara_string (strings of such rules shown),
 * yara_delay (ms between two scans of a query, against memory spikes) and yara_malloc_trim; hostql's
 * yara_scan_timeout (seconds one scan may take).
 */
public record YaraOptions(boolean sigrule, boolean sigruleStrings, long delayMillis, boolean mallocTrim, int timeoutSeconds) {
    public static YaraOptions of(Settings settings) {
        return new YaraOptions(settings.bool("enable_yara_sigrule"), settings.bool("enable_yara_string"),
                Math.max(0, settings.number("yara_delay")), settings.bool("yara_malloc_trim"),
                (int) Math.min(Integer.MAX_VALUE, Math.max(0, settings.number("yara_scan_timeout"))));
    }

    /** Gives the native heap that libyara's scans grew back to the system (glibc keeps freed memory otherwise). */
    public void trim() {
        if (mallocTrim) io.hostql.os.Libc.malloc_trim(0);
    }
}
