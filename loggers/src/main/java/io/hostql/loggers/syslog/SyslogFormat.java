package io.hostql.loggers.syslog;

import io.hostql.events.LogLineEvent;
import io.hostql.loggers.StatusLines;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * What osquery's syslog logger sends, and the two headers around it. The message is the result line's
 * JSON exactly (prefixed {@code @cee:} with logger_syslog_prepend_cee) at LOG_INFO, or a status line as
 * {@code severity=N location=F:L message=M} at NOTICE, WARNING, ERR or CRIT (never with @cee:).
 */
final class SyslogFormat {
    static final String IDENT = "hostqld";
    static final int LOG_INFO = 6, LOG_NOTICE = 5, LOG_WARNING = 4, LOG_ERR = 3, LOG_CRIT = 2;
    static final int DEFAULT_FACILITY = 19; // LOG_LOCAL3, osquery's default
    /** glibc syslog(3)'s timestamp, "%h %e %T" in local time. */
    private static final DateTimeFormatter RFC3164_TIME = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ROOT);
    private static final DateTimeFormatter RFC5424_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final int facility;
    private final boolean cee;
    private final String pid = Long.toString(ProcessHandle.current().pid());
    private final String hostname;

    SyslogFormat(int facility, boolean cee, String hostname) {
        this.facility = facility;
        this.cee = cee;
        this.hostname = hostname.isEmpty() ? "-" : hostname.replace(' ', '_');
    }

    int severity(LogLineEvent l) {
        if (l.kind() != LogLineEvent.Kind.STATUS) return LOG_INFO;
        return switch (StatusLines.parse(l.line()).severity()) {
            case 0 -> LOG_NOTICE;
            case 1 -> LOG_WARNING;
            case 2 -> LOG_ERR;
            default -> LOG_CRIT;
        };
    }

    byte[] message(LogLineEvent l) {
        if (l.kind() == LogLineEvent.Kind.STATUS) return StatusLines.parse(l.line()).text().getBytes(StandardCharsets.UTF_8);
        if (!cee) return l.line();
        byte[] out = new byte[5 + l.line().length];
        System.arraycopy("@cee:".getBytes(StandardCharsets.US_ASCII), 0, out, 0, 5);
        System.arraycopy(l.line(), 0, out, 5, l.line().length);
        return out;
    }

    /** As glibc's syslog(3) writes to /dev/log: {@code <PRI>Mmm dd hh:mm:ss hostqld[pid]: MSG}. */
    byte[] rfc3164(LogLineEvent l, long millis) {
        String time = RFC3164_TIME.format(Instant.ofEpochMilli(millis).atZone(ZoneId.systemDefault()));
        return concat("<" + (facility * 8 + severity(l)) + ">" + time + " " + IDENT + "[" + pid + "]: ", message(l));
    }

    /** RFC 5424: {@code <PRI>1 TIMESTAMP HOSTNAME hostqld PID MSGID - MSG}; MSGID says result, snapshot or status. */
    byte[] rfc5424(LogLineEvent l, long millis) {
        String msgid = l.kind().name().toLowerCase(Locale.ROOT);
        String time = RFC5424_TIME.format(Instant.ofEpochMilli(millis));
        return concat("<" + (facility * 8 + severity(l)) + ">1 " + time + " " + hostname + " " + IDENT + " " + pid + " " + msgid + " - ",
                message(l));
    }

    private static byte[] concat(String header, byte[] msg) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[h.length + msg.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(msg, 0, out, h.length, msg.length);
        return out;
    }
}
