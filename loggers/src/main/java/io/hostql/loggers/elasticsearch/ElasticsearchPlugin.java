package io.hostql.loggers.elasticsearch;

import io.hostql.config.Settings;
import io.hostql.config.SettingsException;
import io.hostql.config.flags.LoggerFlags;
import io.hostql.loggers.delivery.HttpSender;
import io.hostql.loggers.delivery.SecretFile;
import io.hostql.loggers.delivery.Sink;
import io.hostql.loggers.tls.PemTls;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** The elasticsearch logger plugin from its {@code logger_elasticsearch_*} flags. */
public final class ElasticsearchPlugin {
    private ElasticsearchPlugin() {}

    public static Sink create(Settings s) {
        List<URI> urls = new ArrayList<>();
        boolean https = false;
        for (String raw : s.get(LoggerFlags.LOGGER_ELASTICSEARCH_URLS).split(",")) {
            String u = raw.strip();
            if (u.isEmpty()) continue;
            URI uri = HttpSender.baseUrl("logger_elasticsearch_urls", u);
            https |= uri.getScheme().equals("https");
            urls.add(uri);
        }
        if (urls.isEmpty()) throw new SettingsException("logger_elasticsearch_urls is empty: name at least one http(s)://host:port");
        IndexPattern results = new IndexPattern("logger_elasticsearch_index", s.get(LoggerFlags.LOGGER_ELASTICSEARCH_INDEX).strip());
        IndexPattern status = new IndexPattern("logger_elasticsearch_status_index", s.get(LoggerFlags.LOGGER_ELASTICSEARCH_STATUS_INDEX).strip());
        String user = s.get(LoggerFlags.LOGGER_ELASTICSEARCH_USERNAME).strip();
        String passwordFile = s.get(LoggerFlags.LOGGER_ELASTICSEARCH_PASSWORD_FILE).strip();
        String apiKeyFile = s.get(LoggerFlags.LOGGER_ELASTICSEARCH_API_KEY_FILE).strip();
        String authorization = null;
        if (!apiKeyFile.isEmpty()) {
            if (!user.isEmpty()) throw new SettingsException("logger_elasticsearch_api_key_file and logger_elasticsearch_username: give one of them, not both");
            authorization = "ApiKey " + SecretFile.read("logger_elasticsearch_api_key_file", apiKeyFile);
        } else if (!user.isEmpty()) {
            if (passwordFile.isEmpty()) throw new SettingsException("logger_elasticsearch_username needs logger_elasticsearch_password_file");
            String password = SecretFile.read("logger_elasticsearch_password_file", passwordFile);
            authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        } else if (!passwordFile.isEmpty()) {
            throw new SettingsException("logger_elasticsearch_password_file needs logger_elasticsearch_username");
        }
        String ca = s.get(LoggerFlags.LOGGER_ELASTICSEARCH_TLS_CA).strip();
        if (!ca.isEmpty() && !https) throw new SettingsException("logger_elasticsearch_tls_ca is set but no URL in logger_elasticsearch_urls is https://");
        return new ElasticsearchSink(urls, results, status, authorization, https ? PemTls.trusting("logger_elasticsearch_tls_ca", ca) : null);
    }
}
