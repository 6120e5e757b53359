package io.hostql.config.flags;

import static io.hostql.config.flags.Reload.AT_RESTART;

/** The watchdog of scheduled queries. */
public final class WatchdogFlags {
    public static final SettingGroup GROUP = new SettingGroup("watchdog", "The watchdog of scheduled queries");

    public static final Setting<Long> WATCHDOG_LEVEL = GROUP.int64("watchdog_level", 0, -1, 1, AT_RESTART,
            "Watchdog level: 0 normal (200 MB, 10% CPU for 12 s), 1 restrictive (100 MB, 5%, 6 s), -1 disabled");
    public static final Setting<Long> WATCHDOG_MEMORY_LIMIT = GROUP.int64("watchdog_memory_limit", 0, 0, Long.MAX_VALUE, AT_RESTART,
            "Override the watchdog's memory limit in MB (0: the level's)");
    public static final Setting<Long> WATCHDOG_UTILIZATION_LIMIT = GROUP.int64("watchdog_utilization_limit", 0, 0, Long.MAX_VALUE, AT_RESTART,
            "Override the watchdog's CPU utilization limit in percent (0: the level's)");
    public static final Setting<Long> WATCHDOG_LATENCY_LIMIT = GROUP.int64("watchdog_latency_limit", 0, 0, Long.MAX_VALUE, AT_RESTART,
            "Override the seconds the CPU limit may be exceeded (0: the level's)");
    public static final Setting<Long> WATCHDOG_DELAY = GROUP.int64("watchdog_delay", 60, 0, Long.MAX_VALUE, AT_RESTART,
            "Seconds after start before the watchdog enforces its limits");
    public static final Setting<Boolean> DISABLE_WATCHDOG = GROUP.bool("disable_watchdog", false, AT_RESTART,
            "Disable the watchdog (same as watchdog_level -1)");

    private WatchdogFlags() {}
}
