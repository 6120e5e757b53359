package io.hostql.loggers;

/**
 * How result lines are shaped, from osquery's flags: {@code logger_numerics} (numbers as JSON
 * numbers rather than strings), {@code decorations_top_level}, {@code logger_event_type} (one line
 * per changed row rather than one batch line per run) and {@code logger_snapshot_event_type}.
 */
public record LogFormat(boolean numerics, boolean decorationsTopLevel, boolean eventFormat, boolean snapshotEventFormat) {
    /** osquery's defaults: strings, a decorations object, event format, one snapshot line per run. */
    public static final LogFormat DEFAULT = new LogFormat(false, false, true, false);
}
