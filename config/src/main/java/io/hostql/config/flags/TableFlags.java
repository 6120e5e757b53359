package io.hostql.config.flags;

import static io.hostql.config.flags.Reload.AT_RESTART;

/** Tables: which are enabled, and what some read. */
public final class TableFlags {
    public static final SettingGroup GROUP = new SettingGroup("tables", "Tables: which are enabled, and what some read");

    public static final Setting<Long> READ_MAX = GROUP.int64("read_max", 52428800, 0, Long.MAX_VALUE, AT_RESTART,
            "Maximum bytes of a file hashed for file_events and read by tables");
    public static final Setting<Boolean> AWS_DISABLE_IMDSV1_FALLBACK = GROUP.bool("aws_disable_imdsv1_fallback", false, AT_RESTART,
            "Ask EC2's metadata service only with an IMDSv2 token (no IMDSv1 requests when none is given)");
    public static final Setting<String> AUGEAS_LENSES = GROUP.string("augeas_lenses", "/usr/share/augeas/lenses/dist", AT_RESTART,
            "Directory that contains augeas lenses files (osquery's default is /usr/share/osquery/lenses; hostql uses Debian's augeas-lenses)");
    public static final Setting<Boolean> ENABLE_YARA_SIGRULE = GROUP.bool("enable_yara_sigrule", false, AT_RESTART,
            "Enable yara table extension to pass sigrule with query");
    public static final Setting<Boolean> ENABLE_YARA_STRING = GROUP.bool("enable_yara_string", false, AT_RESTART,
            "The yara strings are private by default. The flag will disable the feature and string column will show with the table");
    public static final Setting<Long> YARA_DELAY = GROUP.int64("yara_delay", 50, 0, Long.MAX_VALUE, AT_RESTART,
            "Time in ms to sleep after scan of each file (default 50) to reduce memory spikes");
    public static final Setting<Boolean> YARA_MALLOC_TRIM = GROUP.bool("yara_malloc_trim", true, AT_RESTART,
            "Call malloc_trim() after YARA scans (linux)");
    public static final Setting<Long> YARA_SCAN_TIMEOUT = GROUP.int64("yara_scan_timeout", 60, 0, Integer.MAX_VALUE, AT_RESTART,
            "Seconds one YARA scan of a file or process may take before it is abandoned (hostql's; 0: no limit)");
    public static final Setting<String> DISABLE_TABLES = GROUP.string("disable_tables", "", AT_RESTART,
            "Comma-separated list of tables to disable");
    public static final Setting<String> ENABLE_TABLES = GROUP.string("enable_tables", "", AT_RESTART,
            "Comma-separated list of tables to enable (all others are disabled)");

    private TableFlags() {}
}
