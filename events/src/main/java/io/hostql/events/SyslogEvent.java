package io.hostql.events;

/**
 * One syslog message as rsyslog wrote it to hostqld's pipe, in osquery's CSV format (template
 * {@code OsqueryCsvFormat}): the six fields, unquoted and trimmed, the tag without its trailing colon.
 * Severity stays text: it is what rsyslog sent, and the subscriber makes it the column's integer.
 */
public record SyslogEvent(long captureNanos, String datetime, String host, String severity, String facility, String tag,
        String message) implements Event {
    @Override
    public EventType type() {
        return EventType.SYSLOG;
    }

    @Override
    public void encode(RecordOutput out) {
        out.writeString(datetime).writeString(host).writeString(severity).writeString(facility).writeString(tag).writeString(message);
    }

    public static SyslogEvent decode(long captureNanos, RecordInput in) {
        return new SyslogEvent(captureNanos, in.readString(), in.readString(), in.readString(), in.readString(), in.readString(),
                in.readString());
    }
}
