package io.hostql.loggers.syslog;

import io.hostql.config.Settings;
import io.hostql.config.SettingsException;
import io.hostql.config.flags.LoggerFlags;
import io.hostql.loggers.HostIdentifier;
import io.hostql.loggers.delivery.Sink;
import io.hostql.loggers.tls.PemTls;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** The syslog plugin from its flags: local datagrams (osquery's), or RFC 5424 over TCP or TLS, by {@code --logger_syslog_target}. */
public final class SyslogSink {
    private SyslogSink() {}

    public static Sink create(Settings s) {
        // The facility's range (0-23) is its declaration's: out of it, a flag stops the start and a config option is
        // a warning that keeps 19 (local3), osquery's fallback.
        SyslogFormat format = new SyslogFormat(s.get(LoggerFlags.LOGGER_SYSLOG_FACILITY), s.get(LoggerFlags.LOGGER_SYSLOG_PREPEND_CEE), HostIdentifier.hostname());
        String target = s.get(LoggerFlags.LOGGER_SYSLOG_TARGET).strip();
        URI uri;
        try {
            uri = new URI(target);
        } catch (URISyntaxException e) {
            throw new SettingsException("logger_syslog_target '" + target + "' is not a URI: " + e.getMessage()
                    + " (expected unix:///dev/log or tcp://host:port)");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        switch (scheme) {
            case "unix":
                if (uri.getPath() == null || uri.getPath().isEmpty()) {
                    throw new SettingsException("logger_syslog_target '" + target + "' names no socket path (expected unix:///dev/log)");
                }
                return new SyslogLocalSink(Path.of(uri.getPath()), format);
            case "tcp", "tls":
                if (uri.getHost() == null || uri.getPort() <= 0) {
                    throw new SettingsException("logger_syslog_target '" + target + "' needs a host and a port (" + scheme + "://host:port)");
                }
                return new SyslogTcpSink(uri.getHost(), uri.getPort(), format,
                        scheme.equals("tls") ? PemTls.trusting("logger_syslog_tls_ca", s.get(LoggerFlags.LOGGER_SYSLOG_TLS_CA).strip()) : null);
            default:
                throw new SettingsException("logger_syslog_target '" + target + "': unknown scheme '" + scheme
                        + "' (expected unix:///path, tcp://host:port or tls://host:port)");
        }
    }
}
