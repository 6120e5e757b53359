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
    public static final Setting<String> DISABLE_TABLES = GROUP.string("disable_tables", "", AT_RESTART,
            "Comma-separated list of tables to disable");
    public static final Setting<String> ENABLE_TABLES = GROUP.string("enable_tables", "", AT_RESTART,
            "Comma-separated list of tables to enable (all others are disabled)");

    private TableFlags() {}
}
