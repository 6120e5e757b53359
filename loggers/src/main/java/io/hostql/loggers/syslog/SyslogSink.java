package io.hostql.loggers.syslog;

import io.hostql.config.Settings;
import io.hostql.config.flags.LoggerFlags;
import io.hostql.loggers.HostIdentifier;
import io.hostql.loggers.delivery.Sink;
import io.hostql.loggers.net.NetTarget;
import java.nio.file.Path;

/** The syslog plugin from its flags: local datagrams (osquery's), or RFC 5424 over TCP or TLS, by {@code --logger_syslog_target}. */
public final class SyslogSink {
    private SyslogSink() {}

    public static Sink create(Settings s) {
        // The facility's range (0-23) is its declaration's: out of it, a flag stops the start and a config option is
        // a warning that keeps 19 (local3), osquery's fallback.
        SyslogFormat format = new SyslogFormat(s.get(LoggerFlags.LOGGER_SYSLOG_FACILITY), s.get(LoggerFlags.LOGGER_SYSLOG_PREPEND_CEE), HostIdentifier.hostname());
        NetTarget target = NetTarget.parse("logger_syslog_target", s.get(LoggerFlags.LOGGER_SYSLOG_TARGET).strip(), true, 0);
        if (target.unix()) return new SyslogLocalSink(Path.of(target.path()), format);
        return new SyslogTcpSink(target.host(), target.port(), format,
                target.trust("logger_syslog_tls_ca", s.get(LoggerFlags.LOGGER_SYSLOG_TLS_CA).strip()));
    }
}
