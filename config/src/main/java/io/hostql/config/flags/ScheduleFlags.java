package io.hostql.config.flags;

import static io.hostql.config.flags.Reload.AT_RESTART;

/** The scheduler: intervals, splay, packs, decorators, denylist. */
public final class ScheduleFlags {
    public static final SettingGroup GROUP = new SettingGroup("schedule", "The scheduler: intervals, splay, packs, decorators, denylist");

    public static final Setting<Boolean> DISABLE_DECORATORS = GROUP.bool("disable_decorators", false, AT_RESTART,
            "Disable config decorators");
    public static final Setting<Long> SCHEDULE_SPLAY_PERCENT = GROUP.int64("schedule_splay_percent", 10, 1, 100, AT_RESTART,
            "Percent to splay each scheduled query's interval by (a random value kept per query)");
    public static final Setting<Long> SCHEDULE_DEFAULT_INTERVAL = GROUP.int64("schedule_default_interval", 3600, 1, Long.MAX_VALUE, AT_RESTART,
            "Interval in seconds of scheduled queries that give none");
    public static final Setting<Long> SCHEDULE_EPOCH = GROUP.int64("schedule_epoch", 0, 0, Long.MAX_VALUE, AT_RESTART,
            "Epoch of differential results; changing it restarts every differential (all rows \"added\")");
    public static final Setting<Long> SCHEDULE_MAX_DRIFT = GROUP.int64("schedule_max_drift", 60, 0, Long.MAX_VALUE, AT_RESTART,
            "Most seconds of missed scheduler ticks caught up after a stall");
    public static final Setting<Long> SCHEDULE_DENYLIST_FAILURES = GROUP.int64("schedule_denylist_failures", 3, 0, Long.MAX_VALUE, AT_RESTART,
            "Consecutive failures after which a scheduled query is denylisted (hostql)");
    public static final Setting<Long> SCHEDULE_DENYLIST_DURATION = GROUP.int64("schedule_denylist_duration", 86400, 0, Long.MAX_VALUE, AT_RESTART,
            "Seconds a scheduled query stays denylisted after the watchdog stopped it or it failed repeatedly");
    public static final Setting<Long> PACK_REFRESH_INTERVAL = GROUP.int64("pack_refresh_interval", 3600, 0, Long.MAX_VALUE, AT_RESTART,
            "Seconds a pack's discovery results are kept before the queries run again");
    public static final Setting<String> PACK_DELIMITER = GROUP.string("pack_delimiter", "_", AT_RESTART,
            "Delimiter between \"pack\", the pack name and the query name in result names");

    private ScheduleFlags() {}
}
