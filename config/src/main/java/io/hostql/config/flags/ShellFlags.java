package io.hostql.config.flags;

import static io.hostql.config.flags.Reload.AT_RESTART;

/** The shell (hostqli) only. */
public final class ShellFlags {
    public static final SettingGroup GROUP = new SettingGroup("shell", "The shell (hostqli) only", true);

    public static final Setting<String> NULLVALUE = GROUP.string("nullvalue", "", AT_RESTART,
            "Text printed for NULL values in the shell");
    public static final Setting<Boolean> JSON = GROUP.bool("json", false, AT_RESTART,
            "Print results as JSON (shell)");
    public static final Setting<Boolean> JSON_PRETTY = GROUP.bool("json_pretty", false, AT_RESTART,
            "Print results as pretty-printed JSON (shell)");
    public static final Setting<Boolean> CSV = GROUP.bool("csv", false, AT_RESTART,
            "Print results in CSV mode (shell)");
    public static final Setting<Boolean> LINE = GROUP.bool("line", false, AT_RESTART,
            "Print results in line mode (shell)");
    public static final Setting<Boolean> LIST = GROUP.bool("list", false, AT_RESTART,
            "Print results in list mode (shell)");
    public static final Setting<String> SEPARATOR = GROUP.string("separator", "|", AT_RESTART,
            "Field separator for list and CSV modes (shell)");
    public static final Setting<Boolean> HEADER = GROUP.bool("header", true, AT_RESTART,
            "Print the column header (shell)");
    public static final Setting<String> ALL_FROM = GROUP.string("A", "", AT_RESTART,
            "Select all from a table and exit (shell)");
    public static final Setting<Boolean> LIST_TABLES = GROUP.bool("L", false, AT_RESTART,
            "List all tables and exit (shell)");
    public static final Setting<String> QUERY = GROUP.string("query", "", AT_RESTART,
            "Run one query and exit (shell)");
    public static final Setting<String> QUERY_FILE = GROUP.string("query_file", "", AT_RESTART,
            "Run SQL read from a file and exit (shell)");

    private ShellFlags() {}
}
