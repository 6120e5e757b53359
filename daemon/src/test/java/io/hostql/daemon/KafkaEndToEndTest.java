package io.hostql.daemon;

import static io.hostql.daemon.DaemonProcess.waitFor;
import static io.hostql.daemon.SyslogEndToEndTest.fileLines;
import static io.hostql.daemon.SyslogEndToEndTest.key;
import static io.hostql.daemon.SyslogEndToEndTest.occurrences;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hostql.loggers.FilesystemLogger;
import io.hostql.loggers.HostIdentifier;
import io.hostql.loggers.kafka.KafkaBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kafka_producer logger plugin of a real hostqld against a real Kafka broker (KRaft, in the test
 * JVM on loopback, started once for the class), read back with a real consumer: osquery's lines, key
 * and topics, a reload that moves a query to another topic; every line across a broker outage and a
 * {@code kill -9}, duplicates at most one batch; a topic that does not exist yet costs one status line
 * and no line.
 */
class KafkaEndToEndTest {
    static final ObjectMapper M = new ObjectMapper();
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

    /** A query whose every run logs three rows that never repeat (the time changes), and kafka_topics as given. */
    Path config(String name, String kafkaTopics) throws IOException {
        return Files.writeString(tmp.resolve("hostql.conf"), """
                {"schedule": {
                   "%s": {"query": "SELECT t.unix_time, n.value FROM time t, (SELECT 1 AS value UNION ALL SELECT 2 UNION ALL SELECT 3) n",
                          "interval": 1, "removed": false}
                 },
                 "kafka_topics": %s}
                """.formatted(name, kafkaTopics));
    }

    static String[] flags(String topic, String... more) {
        List<String> f = new ArrayList<>(List.of("--logger_plugin", "filesystem,kafka_producer", "--logger_kafka_brokers",
                kafka.bootstrap(), "--logger_kafka_topic", topic, "--disable_events"));
        f.addAll(List.of(more));
        return f.toArray(new String[0]);
    }

    static List<String> received(String topic, String name) {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<String, String> r : kafka.read(topic)) if (r.value().contains("\"name\":\"" + name + "\"")) out.add(r.value());
        return out;
    }

    @Test
    void resultLinesArriveAsOsquerysWithItsKeyInTheTopicOfTheirQueryAndAReloadMovesThem() throws Exception {
        kafka.createTopic("hostql_results");
        kafka.createTopic("hostql_mapped");
        String name = "kafka_rows";
        Path conf = config(name, "{\"hostql_mapped\": [\"" + name + "\"]}");
        try (DaemonProcess d = DaemonProcess.start(conf, tmp.resolve("data"), flags("hostql_results"))) {
            Path results = d.logs.resolve(FilesystemLogger.RESULTS);
            waitFor(() -> received("hostql_mapped", name).size() >= 6, 60, "result lines in the kafka_topics topic");
            List<ConsumerRecord<String, String>> records = kafka.read("hostql_mapped");
            // The value is the filesystem line byte for byte, with osquery's keys, order and types.
            Set<String> written = new HashSet<>(fileLines(results, name));
            assertThat(records).allSatisfy(r -> {
                assertThat(written).contains(r.value());
                assertThat(r.key()).isEqualTo(HostIdentifier.hostname() + "_osqueryd");
            });
            JsonNode first = M.readTree(records.get(0).value());
            assertThat(SchedulerEndToEndTest.fieldNames(first)).containsExactly("name", "hostIdentifier", "calendarTime", "unixTime",
                    "epoch", "counter", "numerics", "columns", "action");
            assertThat(first.get("unixTime").isIntegralNumber() && first.get("epoch").isIntegralNumber()
                    && first.get("counter").isIntegralNumber() && first.get("numerics").isBoolean()).isTrue();
            assertThat(first.get("columns").get("value").isTextual()).as("columns are strings, as osquery's").isTrue();
            // Only result lines go to Kafka (osquery's kafka_producer takes no status lines).
            assertThat(kafka.read("hostql_mapped")).allMatch(r -> r.value().contains("\"name\":\"" + name + "\""));

            // SIGHUP with kafka_topics emptied: the query's lines go to --logger_kafka_topic from then on.
            config(name, "{}");
            d.signal("HUP");
            waitFor(() -> received("hostql_results", name).size() >= 3, 60, "lines in the base topic after the reload");
            waitFor(() -> {
                List<String> produced = fileLines(results, name); // before reading Kafka: lines keep coming
                Set<String> all = new HashSet<>(received("hostql_mapped", name));
                all.addAll(received("hostql_results", name));
                return all.containsAll(produced);
            }, 60, "every line in one topic or the other");
            assertThat(d.stop()).isZero();
            String status = Files.readString(d.logs.resolve(StatusLog.FILE_NAME));
            assertThat(status).doesNotContain("Connection to node").doesNotContain("cannot deliver");
        }
    }

    @Test
    void everyLineArrivesAcrossABrokerOutageAndAKill9WithAtMostOneBatchTwice() throws Exception {
        kafka.createTopic("hostql_outage");
        String name = "outage_rows";
        Path conf = config(name, "{}");
        Path data = tmp.resolve("data");
        String[] f = flags("hostql_outage");
        DaemonProcess d = DaemonProcess.start(conf, data, f);
        try {
            waitFor(() -> received("hostql_outage", name).size() >= 3, 60, "the first lines in Kafka");
            kafka.stop();
            Path results = d.logs.resolve(FilesystemLogger.RESULTS);
            int before = fileLines(results, name).size();
            waitFor(() -> fileLines(results, name).size() >= before + 9, 30, "lines produced while the broker is away");
            d.kill9();
            d = DaemonProcess.start(conf, data, f);
            DaemonProcess restarted = d;
            int afterRestart = fileLines(results, name).size();
            waitFor(() -> fileLines(results, name).size() >= afterRestart + 6, 30, "lines produced after the restart");
            kafka.start();
            waitFor(() -> arrived(results, name, "hostql_outage"), 90,
                    "every line written to the results file to arrive in Kafka");
            assertThat(restarted.stop()).isZero();

            List<String> got = received("hostql_outage", name);
            Map<String, Integer> counts = new HashMap<>();
            for (String l : got) counts.merge(key(l), 1, Integer::sum);
            Set<String> producedKeys = new HashSet<>();
            for (String l : fileLines(results, name)) producedKeys.add(key(l));
            assertThat(counts.keySet()).containsAll(producedKeys);
            int duplicates = got.size() - counts.size();
            assertThat(duplicates).as("duplicates (at most the batch in flight at the kill)").isLessThanOrEqualTo(SyslogEndToEndTest.BATCH_LINES);
            String status = Files.readString(restarted.logs.resolve(StatusLog.FILE_NAME));
            // Whether the sink gave up on a batch depends on how long the broker was away against its bounded
            // waits (a short outage is ridden out inside one send): when it did, it said so once, and recovered.
            if (status.contains("logger kafka_producer: cannot deliver to " + kafka.bootstrap())) {
                assertThat(status).contains("logger kafka_producer: delivering to " + kafka.bootstrap());
            }
            assertThat(status).as("Kafka's own reconnect warnings stay out of the status log").doesNotContain("Connection to node");
        } finally {
            d.close();
            kafka.start(); // up again for the other tests, whatever happened here
        }
    }

    /** Whether every line of the query written to the results file so far is in the topic. */
    static boolean arrived(Path results, String name, String topic) {
        List<String> produced = fileLines(results, name); // before reading Kafka: lines keep coming
        return new HashSet<>(received(topic, name)).containsAll(produced);
    }

    static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void aTopicThatDoesNotExistYetCostsOneStatusLineAndNoLine() throws Exception {
        String name = "missing_rows";
        Path conf = config(name, "{}");
        try (DaemonProcess d = DaemonProcess.start(conf, tmp.resolve("data"), flags("hostql_created_late"))) {
            Path results = d.logs.resolve(FilesystemLogger.RESULTS);
            Path statusLog = d.logs.resolve(StatusLog.FILE_NAME);
            waitFor(() -> fileLines(results, name).size() >= 9, 30, "lines produced while the topic is missing");
            waitFor(() -> text(statusLog).contains("logger kafka_producer: cannot deliver"), 30, "the status line");
            Thread.sleep(10_000); // a few retries (each waits up to max.block.ms for the topic): still one line
            kafka.createTopic("hostql_created_late");
            waitFor(() -> arrived(results, name, "hostql_created_late"), 90,
                    "every line once the topic exists");
            assertThat(d.stop()).isZero();
            String status = Files.readString(statusLog);
            assertThat(occurrences(status, "logger kafka_producer: cannot deliver")).isEqualTo(1);
            assertThat(status).contains("topic hostql_created_late").contains("not present in metadata");
            assertThat(occurrences(status, "logger kafka_producer: delivering to")).isEqualTo(1);
        }
    }
}
