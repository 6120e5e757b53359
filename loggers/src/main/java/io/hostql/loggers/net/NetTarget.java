package io.hostql.loggers.net;

import io.hostql.config.SettingsException;
import io.hostql.loggers.tls.PemTls;
import java.net.URI;
import java.net.URISyntaxException;
import javax.net.ssl.SSLContext;

/**
 * A log plugin's target from its flag: {@code tcp://host:port}, {@code tls://host:port} or, where the plugin takes it,
 * {@code unix:///path}. Each problem is one line naming the flag, the value and what was expected.
 */
public record NetTarget(String scheme, String host, int port, String path) {
    /**
     * Parses the flag's value; a URI with no port takes defaultPort (0: a port is needed); unix:// only when
     * allowUnix.
     */
    public static NetTarget parse(String flag, String target, boolean allowUnix, int defaultPort) {
        String expected = (allowUnix ? "unix:///path, " : "") + "tcp://host:port or tls://host:port";
        URI uri;
        try {
            uri = new URI(target);
        } catch (URISyntaxException e) {
            throw new SettingsException(flag + " '" + target + "' is not a URI: " + e.getMessage() + " (expected " + expected + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        if (allowUnix && scheme.equals("unix")) {
            if (uri.getPath() == null || uri.getPath().isEmpty()) {
                throw new SettingsException(flag + " '" + target + "' names no socket path (expected unix:///path)");
            }
            return new NetTarget(scheme, null, 0, uri.getPath());
        }
        if (!scheme.equals("tcp") && !scheme.equals("tls")) {
            throw new SettingsException(flag + " '" + target + "': unknown scheme '" + scheme + "' (expected " + expected + ")");
        }
        if (uri.getHost() == null || (uri.getPort() <= 0 && defaultPort <= 0)) {
            throw new SettingsException(flag + " '" + target + "' needs a host" + (defaultPort > 0 ? "" : " and a port")
                    + " (" + scheme + "://host:port)");
        }
        return new NetTarget(scheme, uri.getHost(), uri.getPort() > 0 ? uri.getPort() : defaultPort, null);
    }

    public boolean unix() {
        return scheme.equals("unix");
    }

    /** For tls://, a TLS context trusting the CA file its flag names (empty: the system's); null for tcp:// (plain). */
    public SSLContext trust(String caFlag, String caFile) {
        return scheme.equals("tls") ? PemTls.trusting(caFlag, caFile) : null;
    }
}
