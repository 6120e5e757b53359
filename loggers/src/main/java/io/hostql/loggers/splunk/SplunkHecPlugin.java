package io.hostql.loggers.splunk;

import io.hostql.config.Settings;
import io.hostql.config.SettingsException;
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
        String u = s.string("logger_splunk_url").strip();
        URI base = HttpSender.baseUrl("logger_splunk_url", u);
        String tokenFile = s.string("logger_splunk_token_file").strip();
        if (tokenFile.isEmpty()) throw new SettingsException("the splunk_hec logger plugin needs logger_splunk_token_file (a file holding the HEC token)");
        String token = SecretFile.read("logger_splunk_token_file", tokenFile);
        long ackTimeout = s.number("logger_splunk_ack_timeout");
        if (ackTimeout < 1) throw new SettingsException("logger_splunk_ack_timeout must be 1 s or more, not " + ackTimeout);
        String ca = s.string("logger_splunk_tls_ca").strip();
        boolean https = base.getScheme().equals("https");
        if (!ca.isEmpty() && !https) throw new SettingsException("logger_splunk_tls_ca is set but logger_splunk_url is not https://");
        return new SplunkHecSink(base, token, HostIdentifier.hostname(), s.string("logger_splunk_index").strip(), s.bool("logger_splunk_ack"),
                ackTimeout * 1000, https ? PemTls.trusting("logger_splunk_tls_ca", ca) : null);
    }
}
