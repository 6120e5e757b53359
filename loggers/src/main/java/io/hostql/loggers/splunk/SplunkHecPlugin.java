package io.hostql.loggers.splunk;

import io.hostql.config.Settings;
import io.hostql.config.SettingsException;
import io.hostql.config.flags.LoggerFlags;
import io.hostql.loggers.HostIdentifier;
import io.hostql.loggers.delivery.HttpSender;
import io.hostql.loggers.delivery.SecretFile;
import io.hostql.loggers.delivery.Sink;
import io.hostql.loggers.tls.PemTls;
import java.net.URI;

/** The splunk_hec logger plugin from its {@code logger_splunk_*} flags. */
public final class SplunkHecPlugin {
    private SplunkHecPlugin() {}

    public static Sink create(Settings s) {
        String u = s.get(LoggerFlags.LOGGER_SPLUNK_URL).strip();
        URI base = HttpSender.baseUrl("logger_splunk_url", u);
        String tokenFile = s.get(LoggerFlags.LOGGER_SPLUNK_TOKEN_FILE).strip();
        if (tokenFile.isEmpty()) throw new SettingsException("the splunk_hec logger plugin needs logger_splunk_token_file (a file holding the HEC token)");
        String token = SecretFile.read("logger_splunk_token_file", tokenFile);
        long ackTimeout = s.get(LoggerFlags.LOGGER_SPLUNK_ACK_TIMEOUT);
        String ca = s.get(LoggerFlags.LOGGER_SPLUNK_TLS_CA).strip();
        boolean https = base.getScheme().equals("https");
        if (!ca.isEmpty() && !https) throw new SettingsException("logger_splunk_tls_ca is set but logger_splunk_url is not https://");
        return new SplunkHecSink(base, token, HostIdentifier.hostname(), s.get(LoggerFlags.LOGGER_SPLUNK_INDEX).strip(), s.get(LoggerFlags.LOGGER_SPLUNK_ACK),
                ackTimeout * 1000, https ? PemTls.trusting("logger_splunk_tls_ca", ca) : null);
    }
}
