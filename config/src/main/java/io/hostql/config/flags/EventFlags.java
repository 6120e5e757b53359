package io.hostql.config.flags;

import static io.hostql.config.flags.Reload.AT_RESTART;
import static io.hostql.config.flags.Reload.ON_SIGHUP;

/** Event capture and storage: events.db, the journal, file and hardware events. */
public final class EventFlags {
    public static final SettingGroup GROUP = new SettingGroup("events", "Event capture and storage: events.db, the journal, file and hardware events");

    public static final Setting<Boolean> DISABLE_EVENTS = GROUP.bool("disable_events", false, AT_RESTART,
            "Disable the event publishers and subscribers");
    public static final Setting<Long> EVENTS_EXPIRY = GROUP.int64("events_expiry", 3600, 0, Long.MAX_VALUE, AT_RESTART,
            "Timeout (seconds) to expire event rows");
    public static final Setting<Long> EVENTS_MAX_BYTES = GROUP.int64("events_max_bytes", 1073741824, 0, Long.MAX_VALUE, AT_RESTART,
            "Maximum bytes events.db may hold before the oldest rows are removed (0: no cap)");
    public static final Setting<Long> EVENTS_RETENTION_INTERVAL = GROUP.int64("events_retention_interval", 60, 1, Long.MAX_VALUE, AT_RESTART,
            "Seconds between retention passes over events.db and the journal");
    public static final Setting<Long> EVENTS_INTEGRITY_CHECK_INTERVAL = GROUP.int64("events_integrity_check_interval", 60, 0, Long.MAX_VALUE, AT_RESTART,
            "Seconds between PRAGMA quick_check runs on events.db; a damaged file is moved aside and rebuilt from the journal (hostql; 0: off, checked at start and on SQLite errors only)");
    public static final Setting<Boolean> ENABLE_FILE_EVENTS = GROUP.bool("enable_file_events", true, AT_RESTART,
            "Watch file_paths with inotify and fill file_events (hostql: on whenever file_paths are configured)");
    public static final Setting<String> HARDWARE_DISABLED_TYPES = GROUP.string("hardware_disabled_types", "partition", ON_SIGHUP,
            "Comma-separated udev device types (DEVTYPE) to keep out of hardware_events; a type is dropped when this text contains it");
    public static final Setting<String> HARDWARE_EVENTS_SOURCE = GROUP.choice("hardware_events_source", "auto", AT_RESTART,
            "Where hardware_events come from: auto (systemd-udevd's events while it runs, else the kernel's), kernel or udev", "auto", "kernel", "udev");
    public static final Setting<Long> HARDWARE_EVENTS_RECEIVE_BUFFER = GROUP.int64("hardware_events_receive_buffer", 134217728, 4096, Integer.MAX_VALUE / 2, AT_RESTART,
            "Netlink receive buffer for uevents in bytes (forced as root, as systemd-udevd does; the kernel doubles it)");
    public static final Setting<Boolean> ENABLE_SYSLOG = GROUP.bool("enable_syslog", false, AT_RESTART,
            "Read syslog messages from rsyslog through a named pipe into syslog_events (rsyslog's template OsqueryCsvFormat, see docs/syslog.md)");
    public static final Setting<String> SYSLOG_PIPE_PATH = GROUP.string("syslog_pipe_path", "/var/lib/hostql/syslog_pipe", AT_RESTART,
            "The named pipe rsyslog writes to; created (mode 0460, group syslog if it exists) when missing (osquery: /var/osquery/syslog_pipe)");
    public static final Setting<Long> SYSLOG_RATE_LIMIT = GROUP.int64("syslog_rate_limit", 100, 1, Long.MAX_VALUE, AT_RESTART,
            "Lines taken from the pipe per 200 ms run; the rest wait in the pipe");
    public static final Setting<Long> SYSLOG_EVENTS_EXPIRY = GROUP.int64("syslog_events_expiry", 2592000, 0, Long.MAX_VALUE, AT_RESTART,
            "Timeout (seconds) to expire syslog_events rows, instead of events_expiry (osquery's: 30 days)");
    public static final Setting<Long> SYSLOG_EVENTS_MAX = GROUP.int64("syslog_events_max", 100000, 0, Long.MAX_VALUE, AT_RESTART,
            "Maximum number of syslog_events rows to keep, instead of events_max");
    public static final Setting<Long> JOURNAL_EXPIRY = GROUP.int64("journal_expiry", 604800, 0, Long.MAX_VALUE, AT_RESTART,
            "Seconds journal records are kept once every subscriber has consumed them");
    public static final Setting<Long> JOURNAL_MAX_BYTES = GROUP.int64("journal_max_bytes", 2147483648L, 0, Long.MAX_VALUE, AT_RESTART,
            "Maximum bytes the journal may take; never removes records a subscriber has not consumed (0: no cap)");
    public static final Setting<Long> EVENTS_MAX = GROUP.int64("events_max", 50000, 0, Long.MAX_VALUE, AT_RESTART,
            "Maximum number of event rows to keep per table");

    private EventFlags() {}
}
