package io.hostql.loggers.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hostql.config.Settings;
import io.hostql.config.SettingsException;
import io.hostql.config.osquery.ConfigException;
import io.hostql.config.osquery.ConfigLoader;
import io.hostql.events.LogLineEvent;
import io.hostql.loggers.HostIdentifier;
import io.hostql.loggers.delivery.Sink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kafka_producer sink against a real Kafka broker (KRaft, in this JVM, started once for the
 * class): osquery's key, value and topics; a broker that is away or a topic that does not exist
 * fails a batch within seconds so that it is retried; a line Kafka can never take is refused, the
 * others arrive. The delivery layer around it (outbox, cursor, restart) is tested end to end in the
 * daemon's KafkaEndToEndTest.
 */
class KafkaSinkTest {
    static KafkaBroker kafka;
    @TempDir
    Path tmp;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = KafkaBroker.launch();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) kafka.close();
    }

    static Sink sink(String... flags) {
        List<String> f = new ArrayList<>(List.of("--logger_kafka_brokers", kafka.bootstrap()));
        f.addAll(List.of(flags));
        return KafkaProducerFlags.create(Settings.parse(f.toArray(new String[0]), Map.of()));
    }

    static List<LogLineEvent> lines(String name, int from, int n) {
        List<LogLineEvent> out = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            String json = "{\"name\":\"" + name + "\",\"hostIdentifier\":\"h\",\"calendarTime\":\"Sun Dec  6 17:00:00 2026 UTC\","
                    + "\"unixTime\":1796576400,\"epoch\":0,\"counter\":" + i + ",\"numerics\":false,\"columns\":{\"n\":\"" + i
                    + "\"},\"action\":\"added\"}";
            out.add(new LogLineEvent(0, i + 1, 0, LogLineEvent.Kind.RESULT, json.getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    static List<String> values(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(ConsumerRecord::value).toList();
    }

    static List<String> texts(List<LogLineEvent> lines) {
        return lines.stream().map(l -> new String(l.line(), StandardCharsets.UTF_8)).toList();
    }

    static final Sink.Refused NONE = (l, reason) -> {
        throw new AssertionError("refused: " + reason);
    };

    @Test
    void linesArriveUnchangedWithOsquerysKeyInTheTopicOfTheirQueryAndAReloadMovesThem() throws Exception {
        kafka.createTopic("osquery_base");
        kafka.createTopic("osquery_special");
        try (Sink sink = sink("--logger_kafka_topic", "osquery_base")) {
            sink.configure(ConfigLoader.load(Files.writeString(tmp.resolve("a.conf"), "{\"kafka_topics\": {\"osquery_special\": [\"q2\"]}}")));
            List<LogLineEvent> q1 = lines("q1", 0, 5), q2 = lines("q2", 0, 3);
            List<LogLineEvent> batch = new ArrayList<>(q1);
            batch.addAll(q2);
            sink.deliver(batch, NONE);
            // Acknowledged means readable: no waiting after deliver returned.
            List<ConsumerRecord<String, String>> base = kafka.read("osquery_base"), special = kafka.read("osquery_special");
            assertThat(values(base)).containsExactlyElementsOf(texts(q1));
            assertThat(values(special)).containsExactlyElementsOf(texts(q2));
            assertThat(base).allMatch(r -> r.key().equals(HostIdentifier.hostname() + "_osqueryd"));

            // A reload (SIGHUP) that drops the mapping: q2 goes to the base topic from then on.
            sink.configure(ConfigLoader.load(Files.writeString(tmp.resolve("b.conf"), "{}")));
            sink.deliver(lines("q2", 3, 2), NONE);
            assertThat(values(kafka.read("osquery_base")).subList(5, 7)).containsExactlyElementsOf(texts(lines("q2", 3, 2)));
            assertThat(kafka.read("osquery_special")).hasSize(3);
        }
    }

    @Test
    void aBrokerThatIsAwayFailsTheBatchInSecondsAndTheRetryDeliversEveryLine() throws Exception {
        kafka.createTopic("osquery_outage");
        try (Sink sink = sink("--logger_kafka_topic", "osquery_outage", "--logger_kafka_compression", "gzip")) {
            sink.deliver(lines("q", 0, 2), NONE);
            kafka.stop();
            try {
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> sink.deliver(lines("q", 2, 50), NONE)).isInstanceOf(IOException.class)
                        .hasMessageContaining("osquery_outage");
                long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
                assertThat(seconds).as("a dead broker fails the batch within delivery.timeout.ms, not a hang")
                        .isLessThanOrEqualTo(KafkaProducerFlags.DELIVERY_TIMEOUT_MS / 1000 + 5);
                sink.close(); // what the runner does before a retry
            } finally {
                kafka.start();
            }
            sink.deliver(lines("q", 2, 50), NONE);
            // Each line once, in order: a batch that failed while the broker was away wrote nothing, so its retry repeats
            // nothing (a broker dying mid-batch could keep part of it: the runner's promise is at most that batch again).
            assertThat(values(kafka.read("osquery_outage"))).containsExactlyElementsOf(texts(lines("q", 0, 52)));
        }
    }

    @Test
    void aTopicThatDoesNotExistFailsTheBatchNamingItUntilItIsCreated() throws Exception {
        try (Sink sink = sink("--logger_kafka_topic", "osquery_later")) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> sink.deliver(lines("q", 0, 100), NONE)).isInstanceOf(IOException.class)
                    .hasMessageContaining("topic osquery_later").hasMessageContaining("not present in metadata");
            assertThat((System.nanoTime() - t0) / 1_000_000L).as("one metadata wait for the batch, not one per line")
                    .isLessThan(3L * KafkaProducerFlags.MAX_BLOCK_MS);
            sink.close();
            kafka.createTopic("osquery_later");
            sink.deliver(lines("q", 0, 100), NONE);
            assertThat(values(kafka.read("osquery_later"))).containsExactlyElementsOf(texts(lines("q", 0, 100)));
        }
    }

    @Test
    void aLineKafkaCanNeverTakeIsRefusedAndTheOthersArrive() throws Exception {
        kafka.createTopic("osquery_big");
        try (Sink sink = sink("--logger_kafka_topic", "osquery_big")) {
            List<LogLineEvent> batch = new ArrayList<>(lines("q", 0, 2));
            String huge = "{\"name\":\"q\",\"columns\":{\"blob\":\"" + "x".repeat(2 << 20) + "\"}}";
            batch.add(1, new LogLineEvent(0, 99, 0, LogLineEvent.Kind.RESULT, huge.getBytes(StandardCharsets.UTF_8)));
            List<String> reasons = new ArrayList<>();
            sink.deliver(batch, (l, reason) -> reasons.add(reason));
            assertThat(reasons).singleElement().asString().contains("Kafka refused it").contains("max.request.size");
            assertThat(values(kafka.read("osquery_big"))).containsExactlyElementsOf(texts(lines("q", 0, 2)));
        }
    }

    @Test
    void badFlagsAndABadKafkaTopicsConfigAreRefusedNamingTheProblem() throws Exception {
        // acks and compression are checked by their declarations, before any plugin is made
        assertThatThrownBy(() -> sink("--logger_kafka_acks", "2")).isInstanceOf(SettingsException.class)
                .hasMessage("flag --logger_kafka_acks=2 is not one of all, 1, 0, -1");
        assertThatThrownBy(() -> sink("--logger_kafka_compression", "brotli")).isInstanceOf(SettingsException.class)
                .hasMessage("flag --logger_kafka_compression=brotli is not one of none, gzip, snappy, lz4, zstd");
        assertThatThrownBy(() -> sink("--logger_kafka_topic", "bad topic")).isInstanceOf(SettingsException.class)
                .hasMessageContaining("'bad topic' is not a valid Kafka topic name");
        assertThatThrownBy(() -> KafkaProducerFlags.bootstrapServers("http://k1")).isInstanceOf(SettingsException.class)
                .hasMessageContaining("only ssl://");
        assertThatThrownBy(() -> KafkaProducerFlags.bootstrapServers(" , ")).hasMessageContaining("logger_kafka_brokers is empty");
        assertThat(KafkaProducerFlags.bootstrapServers("k1,ssl://k2:9093, [::1]:9094,[::1]")).isEqualTo("k1:9092,k2:9093,[::1]:9094,[::1]:9092");
        Path conf = Files.writeString(tmp.resolve("bad.conf"), "{\"kafka_topics\": {\"a b\": [\"q\"], \"ok\": \"q\"}}");
        assertThatThrownBy(() -> ConfigLoader.load(conf)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'a b' is not a valid Kafka topic name").hasMessageContaining("must be an array of strings");
    }

    @Test
    void anSslBrokerTurnsOnTlsWithOsquerysCertificateFlags() throws Exception {
        Path ca = Files.writeString(tmp.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        KafkaSink tls = (KafkaSink) KafkaProducerFlags.create(Settings.parse(new String[] {"--logger_kafka_brokers", "ssl://k1:9093,k2",
                "--tls_server_certs", ca.toString()}, Map.of()));
        assertThat(tls.producerConfig()).containsEntry("security.protocol", "SSL").containsEntry("bootstrap.servers", "k1:9093,k2:9092")
                .containsEntry("ssl.truststore.type", "PEM").containsEntry("ssl.endpoint.identification.algorithm", "https");
        assertThat(tls.producerConfig().getProperty("ssl.truststore.certificates")).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(tls.target()).startsWith("ssl://k1:9093");
        KafkaSink plain = (KafkaSink) KafkaProducerFlags.create(Settings.parse(new String[] {"--logger_kafka_acks", "1"}, Map.of()));
        assertThat(plain.producerConfig()).doesNotContainKey("security.protocol").containsEntry("bootstrap.servers", "localhost:9092")
                .containsEntry("acks", "1").containsEntry("enable.idempotence", "false").containsEntry("client.id", HostIdentifier.hostname());
        assertThatThrownBy(() -> KafkaProducerFlags.create(Settings.parse(new String[] {"--logger_kafka_brokers", "ssl://k1",
                "--tls_client_cert", ca.toString()}, Map.of()))).hasMessage("tls_client_cert and tls_client_key go together: set both or neither");
        assertThatThrownBy(() -> KafkaProducerFlags.create(Settings.parse(new String[] {"--logger_kafka_brokers", "ssl://k1",
                "--tls_server_certs", tmp.resolve("missing.pem").toString()}, Map.of()))).hasMessageContaining("tls_server_certs")
                .hasMessageContaining("cannot read");
    }

    @Test
    void theQueryNameIsReadFromTheLine() {
        assertThat(KafkaSink.queryName("{\"diffResults\":{\"added\":[]},\"name\":\"pack_p_q\"}".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("pack_p_q");
        assertThat(KafkaSink.queryName("not json".getBytes(StandardCharsets.UTF_8))).isNull();
    }
}
