package io.hostql.config.flags;

import static io.hostql.config.flags.Reload.AT_RESTART;

import java.nio.file.Path;

/** The daemon: its files and identity. */
public final class DaemonFlags {
    public static final SettingGroup GROUP = new SettingGroup("daemon", "The daemon: its files and identity");

    public static final Setting<Path> DATABASE_PATH = GROUP.path("database_path", "/var/lib/hostql", AT_RESTART,
            "Data directory: the event journal, events.db and daemon state");
    public static final Setting<Path> CONFIG_PATH = GROUP.path("config_path", "/etc/hostql/hostql.conf", AT_RESTART,
            "Path to the osquery-format JSON config");
    public static final Setting<Path> PIDFILE = GROUP.path("pidfile", "/var/run/hostqld.pid", AT_RESTART,
            "Path to the daemon pidfile");
    public static final Setting<String> FLAGFILE = GROUP.string("flagfile", "", AT_RESTART,
            "Line-delimited file of additional flags");
    public static final Setting<String> HOST_IDENTIFIER = GROUP.string("host_identifier", "hostname", AT_RESTART,
            "Field used to identify the host: hostname, uuid, instance, ephemeral, specified");
    public static final Setting<String> SPECIFIED_IDENTIFIER = GROUP.string("specified_identifier", "", AT_RESTART,
            "Identifier used when host_identifier is 'specified'");
    public static final Setting<Boolean> VERBOSE = GROUP.bool("verbose", false, AT_RESTART,
            "Enable verbose informational messages");

    private DaemonFlags() {}
}
