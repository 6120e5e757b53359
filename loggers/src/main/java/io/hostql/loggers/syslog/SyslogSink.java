package io.hostql.loggers.syslog;

import io.hostql.config.Settings;
import io.hostql.config.SettingsException;
import io.hostql.loggers.HostIdentifier;
import io.hostql.loggers.delivery.Sink;
import io.hostql.loggers.delivery.TlsTrust;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The syslog plugin from its flags: local datagrams (osquery's), or RFC 5424 over TCP or TLS, by {@code --logger_syslog_target}. */
public final class SyslogSink {
    private static final Logger log = LoggerFactory.getLogger(SyslogSink.class);

    private SyslogSink() {}

    /** --logger_syslog_facility; out of 0-23 it falls back to 19 (local3), as osquery does, with a warning. */
    static int facility(Settings s) {
        long facility = s.number("logger_syslog_facility");
        if (facility >= 0 && facility <= 23) return (int) facility;
        log.warn("logger_syslog_facility must be 0 to 23, not {}; using {} (local3), as osquery does", facility,
                SyslogFormat.DEFAULT_FACILITY);
        return SyslogFormat.DEFAULT_FACILITY;
    }

    public static Sink create(Settings s) {
        SyslogFormat format = new SyslogFormat(facility(s), s.bool("logger_syslog_prepend_cee"), HostIdentifier.hostname());
        String target = s.string("logger_syslog_target").strip();
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
                        scheme.equals("tls") ? TlsTrust.context("logger_syslog_tls_ca", s.string("logger_syslog_tls_ca").strip()) : null);
            default:
                throw new SettingsException("logger_syslog_target '" + target + "': unknown scheme '" + scheme
                        + "' (expected unix:///path, tcp://host:port or tls://host:port)");
        }
    }
}
