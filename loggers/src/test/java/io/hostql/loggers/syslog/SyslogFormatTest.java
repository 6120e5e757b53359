package io.hostql.loggers.syslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hostql.config.Settings;
import io.hostql.config.SettingsException;
import io.hostql.config.flags.LoggerFlags;
import io.hostql.events.LogLineEvent;
import io.hostql.loggers.StatusLines;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** osquery's syslog message and priorities, and the two headers (glibc's RFC 3164 form, RFC 5424). */
class SyslogFormatTest {
    static final long PID = ProcessHandle.current().pid();
    static final long T = 1_796_569_001_123L; // 2026-12-06T14:56:41.123Z

    static LogLineEvent line(LogLineEvent.Kind kind, String text) {
        return new LogLineEvent(0, 1, text.length(), kind, text.getBytes(StandardCharsets.UTF_8));
    }

    static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void resultsAreTheJsonAtInfoOptionallyCeePrefixed() {
        SyslogFormat plain = new SyslogFormat(19, false, "web1"), cee = new SyslogFormat(19, true, "web1");
        LogLineEvent r = line(LogLineEvent.Kind.RESULT, "{\"name\":\"q\"}");
        assertThat(s(plain.rfc5424(r, T))).isEqualTo("<158>1 2026-12-06T14:56:41.123000Z web1 hostqld " + PID + " result - {\"name\":\"q\"}");
        assertThat(s(cee.rfc5424(r, T))).endsWith(" result - @cee:{\"name\":\"q\"}");
        assertThat(s(plain.rfc3164(r, T))).matches("<158>Dec  6 \\d\\d:56:41 hostqld\\[" + PID + "\\]: \\{\"name\":\"q\"\\}");
        assertThat(s(plain.rfc5424(line(LogLineEvent.Kind.SNAPSHOT, "{}"), T))).contains(" snapshot - {}");
    }

    @Test
    void statusLinesAreOsquerysTextAtMappedSeveritiesWithoutCee() {
        SyslogFormat cee = new SyslogFormat(3, true, "web1");
        for (Map.Entry<Integer, Integer> e : Map.of(0, 5, 1, 4, 2, 3, 3, 2).entrySet()) {
            String json = StatusLines.json("web1", 1, e.getKey(), "Daemon.java", 42, "hostqld started", "0.1.0");
            LogLineEvent st = line(LogLineEvent.Kind.STATUS, json);
            assertThat(cee.severity(st)).isEqualTo(e.getValue());
            assertThat(s(cee.rfc5424(st, T))).isEqualTo("<" + (3 * 8 + e.getValue()) + ">1 2026-12-06T14:56:41.123000Z web1 hostqld " + PID
                    + " status - severity=" + e.getKey() + " location=Daemon.java:42 message=hostqld started");
        }
    }

    @Test
    void theTargetIsCheckedAndAnOutOfRangeFacilityFallsBackToLocal3() {
        assertThat(SyslogSink.create(Settings.parse(new String[0])).target()).isEqualTo("unix:///dev/log");
        assertThat(SyslogSink.create(Settings.parse(new String[] {"--logger_syslog_target", "tcp://collector:1514"})).target())
                .isEqualTo("tcp://collector:1514");
        assertThatThrownBy(() -> SyslogSink.create(Settings.parse(new String[] {"--logger_syslog_target", "udp://collector:514"})))
                .isInstanceOf(SettingsException.class).hasMessageContaining("unknown scheme 'udp'");
        assertThatThrownBy(() -> SyslogSink.create(Settings.parse(new String[] {"--logger_syslog_target", "tcp://collector"})))
                .isInstanceOf(SettingsException.class).hasMessageContaining("needs a host and a port");
        // The facility's range is declared: a flag out of it stops the start; in the config's options it is a warning and
        // the default 19 (local3) stays, osquery's fallback.
        assertThatThrownBy(() -> Settings.parse(new String[] {"--logger_syslog_facility", "99"}))
                .isInstanceOf(SettingsException.class).hasMessage("flag --logger_syslog_facility=99 is out of range 0..23");
        Settings options = Settings.parse(new String[0]).withOptions(Map.of("logger_syslog_facility", "-1"));
        assertThat(options.warnings()).containsExactly("config option --logger_syslog_facility=-1 is out of range 0..23; ignored");
        assertThat(options.get(LoggerFlags.LOGGER_SYSLOG_FACILITY)).isEqualTo(19);
    }
}
