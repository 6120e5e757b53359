package io.hostql.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hostql.loggers.kafka.KafkaBroker;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Issue 11: result lines through the kafka_producer plugin to a real Kafka broker (KRaft, Kafka's
 * test kit, in this JVM on loopback), during and after an outage. hostqld (bin/hostqld, events off)
 * runs one snapshot query of {@code rowsPerSecond} rows a second, one line per row, while the broker
 * is stopped, for {@code outageSeconds}; then the schedule is emptied (SIGHUP) and the broker comes
 * back. Figures: the lines produced during the outage, the time to drain them (from the broker's
 * return; and from the first line to the last, which is the delivery rate), hostqld's CPU over the
 * drain per 1,000 lines, lines lost (every produced line counted by name, epoch, counter and row) and
 * duplicates. Baseline, same run: a kafka-clients producer in this JVM (the same settings hostqld
 * uses: idempotent, acks=all, no compression) sending as many lines of the same length.
 */
final class KafkaThroughput {
    private static final ObjectMapper M = new ObjectMapper();

    private KafkaThroughput() {}

    static String run(Path home, Path tmp, int outageSeconds, int rowsPerSecond) throws Exception {
        Path root = Files.createTempDirectory(tmp, "kafka");
        try (KafkaBroker kafka = KafkaBroker.launch()) {
            kafka.createTopic("hostql_bench");
            kafka.createTopic("baseline_bench");
            String query = "SELECT t.unix_time, n.value, 'payload-of-a-typical-result-column' AS path FROM time t, "
                    + "(WITH RECURSIVE c(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM c WHERE value < " + rowsPerSecond
                    + ") SELECT value FROM c) n";
            Path config = Files.writeString(root.resolve("hostql.conf"),
                    "{\"schedule\": {\"burst\": {\"query\": \"" + query + "\", \"interval\": 1, \"snapshot\": true}}}");
            kafka.stop(); // the outage: hostqld starts with the broker away
            Process daemon = Measure.startHostqld(home, root, config, "--disable_events", "--logger_plugin", "filesystem,kafka_producer",
                    "--logger_kafka_brokers", kafka.bootstrap(), "--logger_kafka_topic", "hostql_bench", "--logger_snapshot_event_type",
                    "--logger_min_status", "3", "--logger_rotate=false"); // one snapshots file holds every line produced
            Path snapshots = root.resolve("logs/hostqld.snapshots.log");
            LineRun drain;
            double backoffSeconds;
            long produced;
            Map<String, Integer> counts;
            long lineBytes;
            long unexpected = 0;
            try {
                Thread.sleep(outageSeconds * 1000L);
                LineRun.emptySchedule(daemon, config, root);
                List<String> lines = Files.readAllLines(snapshots, StandardCharsets.UTF_8);
                produced = lines.size();
                lineBytes = Files.size(snapshots) / Math.max(1, produced);
                long back = System.nanoTime();
                kafka.start();
                try (EndOffset end = new EndOffset(kafka, "hostql_bench")) {
                    // Timed from the first line in the topic: hostqld's retry back-off is not delivery.
                    while (end.get() == 0) Thread.sleep(5);
                    double cpu0 = Measure.cpuSeconds(daemon.pid());
                    long t0 = System.nanoTime();
                    backoffSeconds = (t0 - back) / 1e9;
                    while (end.get() < produced) Thread.sleep(20);
                    drain = new LineRun(produced, (System.nanoTime() - t0) / 1e9, Measure.cpuSeconds(daemon.pid()) - cpu0);
                }
                Thread.sleep(2000); // anything more (duplicates) lands
                // Counted as multisets: two runs in one second make lines alike, which are then expected twice.
                counts = new HashMap<>();
                for (String l : lines) counts.merge(key(l), -1, Integer::sum);
                for (String v : readAll(kafka, "hostql_bench")) {
                    // A message of no counted line is not a duplicate: it was logged after the count.
                    if (counts.containsKey(key(v))) counts.merge(key(v), 1, Integer::sum);
                    else unexpected++;
                }
            } finally {
                daemon.destroy();
                daemon.waitFor(30, TimeUnit.SECONDS);
            }
            long lost = counts.values().stream().mapToLong(n -> Math.max(0, -n)).sum();
            long duplicates = counts.values().stream().mapToLong(n -> Math.max(0, n)).sum();
            long received = produced - lost + duplicates + unexpected;
            LineRun baseline = baseline(kafka, "baseline_bench", produced, (int) lineBytes);

            StringBuilder md = new StringBuilder("## Result lines through Kafka, across a broker outage (issue 11)\n\n");
            md.append("A real hostqld (bin/hostqld, events off) logs one snapshot line per row (").append(rowsPerSecond)
                    .append(" rows a second, about ").append(lineBytes).append(" bytes a line) with `--logger_plugin filesystem,kafka_producer`\n"
                            + "while the broker (Apache Kafka 4.3.2, KRaft, one node in the benchmark's JVM on loopback) is stopped, for ")
                    .append(outageSeconds).append(" s. Then the\n"
                            + "schedule is emptied (SIGHUP) and the broker starts again. hostqld's lines wait in the outbox meanwhile (osquery's\n"
                            + "would wait in librdkafka's memory, and be lost with a restart). Every line produced is counted in the topic by\n"
                            + "name, epoch, counter and row. The delivery rate is from the first line in the topic to the last, and hostqld's\n"
                            + "user+system CPU over it is the delivery cost (batches of up to 1,000 lines, each acknowledged by the broker,\n"
                            + "acks=all, before the cursor is fsync'd). Baseline, same run: a kafka-clients producer in the benchmark's JVM\n"
                            + "with hostqld's settings (idempotent, acks=all, no compression) sending as many lines of the same length and\n"
                            + "flushing at the end (its CPU: its own and its network thread's). Run with `bench/run kafka`\n"
                            + "(`-Dkafka.outage.seconds=N`, `-Dkafka.rows=N`). The machine was shared with other builds while this ran:\n"
                            + "take the ratio, not the absolute figures.\n\n");
            md.append("| outage | lines produced | back-off after the broker returned | drain | lost | duplicates |\n|---|---|---|---|---|---|\n");
            md.append("| ").append(outageSeconds).append(" s | ").append(produced).append(" | ").append(Measure.f(backoffSeconds, 1))
                    .append(" s | ").append(Measure.f(drain.seconds(), 1)).append(" s | ").append(lost).append(" | ").append(duplicates)
                    .append(" |\n\n");
            md.append("| sender | lines | seconds | lines/s | sender CPU per 1,000 lines |\n|---|---|---|---|---|\n");
            drain.row(md, "hostqld (outbox → kafka_producer)");
            baseline.row(md, "kafka-clients producer (baseline)");
            md.append("\nRatio hostqld / producer: throughput ").append(Measure.f(drain.perSecond() / baseline.perSecond(), 2))
                    .append("×, CPU per line ").append(Measure.f(drain.cpuMsPer1000() / Math.max(1e-9, baseline.cpuMsPer1000()), 2))
                    .append("×. The topic holds ").append(received).append(" messages for ").append(produced).append(" lines produced")
                    .append(unexpected == 0 ? "" : " (" + unexpected + " of them logged after the lines were counted)").append(".\n\n")
                    .append("The time to drain after an outage is the back-off (hostqld retries a down sink after 1, 2, 4 … up to 60 s,\n"
                            + "with jitter, so after a minute's outage the next try may come up to a minute after the broker is back) plus\n"
                            + "the drain itself. hostqld reads a batch from the outbox, waits until the broker has acknowledged all of it and\n"
                            + "fsyncs the cursor before it sends the next one, where the producer alone keeps sending while earlier messages\n"
                            + "are being acknowledged; that wait per batch is the price of moving the cursor only past what the broker has.\n"
                            + "The broker runs on the same two shared cores (in the benchmark's JVM), which caps both figures.\n\n");
            return md.toString();
        }
    }

    /** name, epoch, counter and row: what identifies a result line. */
    private static String key(String line) {
        try {
            JsonNode n = M.readTree(line);
            return n.path("name").asText() + "/" + n.path("epoch").asLong() + "/" + n.path("counter").asLong() + "/" + n.path("columns")
                    + n.path("snapshot");
        } catch (IOException e) {
            return "not JSON: " + line;
        }
    }

    private static LineRun baseline(KafkaBroker kafka, String topic, long lines, int lineBytes) throws Exception {
        byte[] value = ("{" + "x".repeat(Math.max(10, lineBytes - 3)) + "}").getBytes(StandardCharsets.UTF_8);
        byte[] key = "bench_osqueryd".getBytes(StandardCharsets.UTF_8);
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrap());
        p.put("client.id", "baseline");
        p.put("acks", "all");
        p.put("enable.idempotence", "true");
        p.put("compression.type", "none");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.partitionsFor(topic); // metadata first: connecting is not sending
            double cpu0 = producerCpu(threads);
            long t0 = System.nanoTime();
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (long i = 0; i < lines; i++) sent.add(producer.send(new ProducerRecord<>(topic, key, value)));
            producer.flush();
            for (Future<RecordMetadata> f : sent) f.get();
            return new LineRun(lines, (System.nanoTime() - t0) / 1e9, producerCpu(threads) - cpu0);
        }
    }

    /** CPU of this thread and of the baseline producer's network thread. */
    private static double producerCpu(ThreadMXBean threads) {
        long nanos = threads.getCurrentThreadCpuTime();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("kafka-producer-network-thread | baseline")) nanos += Math.max(0, threads.getThreadCpuTime(t.getId()));
        }
        return nanos / 1e9;
    }

    /** The topic's end offset (partition 0), through one consumer kept open. */
    private static final class EndOffset implements AutoCloseable {
        private final KafkaConsumer<String, String> consumer;
        private final TopicPartition partition;

        EndOffset(KafkaBroker kafka, String topic) {
            Properties p = new Properties();
            p.put("bootstrap.servers", kafka.bootstrap());
            consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
            partition = new TopicPartition(topic, 0);
        }

        long get() {
            return consumer.endOffsets(List.of(partition), Duration.ofSeconds(10)).get(partition);
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    private static List<String> readAll(KafkaBroker kafka, String topic) {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<String, String> r : kafka.read(topic)) out.add(r.value());
        return out;
    }

}
