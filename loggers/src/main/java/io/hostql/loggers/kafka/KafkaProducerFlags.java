package io.hostql.loggers.kafka;

import io.hostql.config.Settings;
import io.hostql.config.SettingsException;
import io.hostql.config.flags.LoggerFlags;
import io.hostql.config.flags.RemoteFlags;
import io.hostql.config.osquery.KafkaTopics;
import io.hostql.loggers.HostIdentifier;
import io.hostql.loggers.delivery.Sink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

/** The kafka_producer plugin from osquery's flags: the producer's configuration, checked, with clear errors. */
public final class KafkaProducerFlags {
    /**
     * Bounded waits: a broker that is away fails a batch within seconds (the runner retries it), never a 60 s
     * block. A broker back within delivery.timeout.ms gets the batch from the producer's own retries.
     */
    static final int MAX_BLOCK_MS = 5_000, REQUEST_TIMEOUT_MS = 7_000, DELIVERY_TIMEOUT_MS = 15_000;
    static final int DEFAULT_PORT = 9092;

    private KafkaProducerFlags() {}

    public static Sink create(Settings s) {
        String hostname = HostIdentifier.hostname();
        String raw = s.get(LoggerFlags.LOGGER_KAFKA_BROKERS).strip();
        boolean tls = raw.toLowerCase(Locale.ROOT).contains("ssl://"); // osquery: an ssl:// prefix anywhere means TLS for all
        String brokers = bootstrapServers(raw);
        String topic = s.get(LoggerFlags.LOGGER_KAFKA_TOPIC).strip();
        if (!topic.isEmpty() && !KafkaTopics.validTopic(topic)) {
            throw new SettingsException("logger_kafka_topic '" + topic + "' is not a valid Kafka topic name (1 to 249 of a-z A-Z 0-9 . _ -)");
        }
        String acks = s.get(LoggerFlags.LOGGER_KAFKA_ACKS); // one of its declared choices, lower-cased
        if (acks.equals("-1")) acks = "all";
        String compression = s.get(LoggerFlags.LOGGER_KAFKA_COMPRESSION);
        Properties p = new Properties();
        p.put("bootstrap.servers", brokers);
        p.put("client.id", hostname); // as osquery
        p.put("acks", acks);
        // The idempotent producer keeps order and drops the broker-side duplicates of its own retries; Kafka allows it with acks=all only.
        p.put("enable.idempotence", Boolean.toString(acks.equals("all")));
        p.put("compression.type", compression);
        p.put("max.block.ms", Integer.toString(MAX_BLOCK_MS));
        p.put("request.timeout.ms", Integer.toString(REQUEST_TIMEOUT_MS));
        p.put("delivery.timeout.ms", Integer.toString(DELIVERY_TIMEOUT_MS));
        p.put("enable.metrics.push", "false"); // the client's metrics stay on the host
        if (tls) tls(p, s);
        return new KafkaSink(p, (tls ? "ssl://" : "") + brokers, topic, hostname);
    }

    /** osquery's broker list (host or host:port, comma-separated, ssl:// prefixes) as Kafka's bootstrap.servers. */
    static String bootstrapServers(String raw) {
        List<String> out = new ArrayList<>();
        for (String b : raw.split(",")) {
            String h = b.strip();
            int scheme = h.indexOf("://");
            if (scheme >= 0) {
                String name = h.substring(0, scheme).toLowerCase(Locale.ROOT);
                if (!name.equals("ssl") && !name.equals("plaintext")) {
                    throw new SettingsException("logger_kafka_brokers: '" + h + "' has scheme " + name + "://; only ssl:// (or none) is understood");
                }
                h = h.substring(scheme + 3);
            }
            if (h.isEmpty()) continue;
            boolean hasPort = h.startsWith("[") ? h.contains("]:") : h.indexOf(':') >= 0 && h.indexOf(':') == h.lastIndexOf(':');
            if (!hasPort) h = h + ":" + DEFAULT_PORT;
            String port = h.substring(h.lastIndexOf(':') + 1);
            if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) == 0 || Integer.parseInt(port) > 65535) {
                throw new SettingsException("logger_kafka_brokers: '" + b.strip() + "' has no valid port");
            }
            out.add(h);
        }
        if (out.isEmpty()) throw new SettingsException("logger_kafka_brokers is empty: name at least one broker (host or host:port)");
        return String.join(",", out);
    }

    /** TLS as osquery: the CA from --tls_server_certs (else the JDK's trust store), a client certificate from --tls_client_cert/_key. */
    private static void tls(Properties p, Settings s) {
        p.put("security.protocol", "SSL");
        p.put("ssl.endpoint.identification.algorithm", "https"); // the broker's certificate must name it
        String ca = s.get(RemoteFlags.TLS_SERVER_CERTS).strip();
        if (!ca.isEmpty()) {
            p.put("ssl.truststore.type", "PEM");
            p.put("ssl.truststore.certificates", pem("tls_server_certs", ca));
        }
        String cert = s.get(RemoteFlags.TLS_CLIENT_CERT).strip(), key = s.get(RemoteFlags.TLS_CLIENT_KEY).strip();
        if (cert.isEmpty() != key.isEmpty()) {
            throw new SettingsException("tls_client_cert and tls_client_key go together: set both or neither");
        }
        if (!cert.isEmpty()) {
            p.put("ssl.keystore.type", "PEM");
            p.put("ssl.keystore.certificate.chain", pem("tls_client_cert", cert));
            p.put("ssl.keystore.key", pem("tls_client_key", key));
        }
    }

    private static String pem(String flag, String file) {
        try {
            String text = Files.readString(Path.of(file), StandardCharsets.US_ASCII);
            if (!text.contains("-----BEGIN ")) throw new SettingsException(flag + " " + file + " holds no PEM block");
            return text;
        } catch (IOException e) {
            throw new SettingsException(flag + " " + file + ": cannot read: " + e);
        }
    }
}
