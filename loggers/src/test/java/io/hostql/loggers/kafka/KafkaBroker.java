package io.hostql.loggers.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node Apache Kafka (KRaft, broker and controller in one node) in the test JVM on
 * loopback, from Kafka's own test kit; started once per test class. Topics are not created on first
 * use, so a test decides which exist. stop() and start() make an outage on the same port.
 */
public final class KafkaBroker implements AutoCloseable {
    private final KafkaClusterTestKit kit;
    private final String bootstrap;

    private KafkaBroker(KafkaClusterTestKit kit) {
        this.kit = kit;
        this.bootstrap = kit.bootstrapServers();
    }

    public static KafkaBroker launch() throws Exception {
        // The broker logs hundreds of INFO lines, and the test's clients a WARN per reconnect during an outage.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("kafka")).setLevel(ch.qos.logback.classic.Level.WARN);
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.apache.kafka")).setLevel(ch.qos.logback.classic.Level.ERROR);
        KafkaClusterTestKit kit = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
                .setNumControllerNodes(1).build())
                .setConfigProp("auto.create.topics.enable", "false")
                .setConfigProp("broker.session.timeout.ms", "2000") // a restarted broker is back in ~2 s, not ~10
                .setConfigProp("broker.heartbeat.interval.ms", "500")
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        try {
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
        } catch (Exception e) {
            kit.close();
            throw e;
        }
        return new KafkaBroker(kit);
    }

    public String bootstrap() {
        return bootstrap;
    }

    public int port() {
        return Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
    }

    private BrokerServer broker() {
        return kit.brokers().values().iterator().next();
    }

    /** The broker goes away (the controller stays): clients see connections refused. */
    public void stop() {
        broker().shutdown();
        broker().awaitShutdown();
    }

    public void start() throws Exception {
        broker().startup();
        kit.waitForReadyBrokers();
        if (!kit.bootstrapServers().equals(bootstrap)) {
            throw new IllegalStateException("the restarted broker listens on " + kit.bootstrapServers() + ", not " + bootstrap);
        }
    }

    public void createTopic(String name) throws Exception {
        try (Admin admin = kit.admin()) {
            admin.createTopics(List.of(new NewTopic(name, 1, (short) 1))).all().get();
        }
    }

    /** Every message of the topic's partition 0, from the start, read with a real consumer (no group). */
    public List<ConsumerRecord<String, String>> read(String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("enable.auto.commit", "false");
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp), Duration.ofSeconds(10)).get(tp);
            List<ConsumerRecord<String, String>> out = new ArrayList<>();
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (c.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) out.add(r);
            }
            return out;
        }
    }

    public Map<Integer, BrokerServer> brokers() {
        return kit.brokers();
    }

    @Override
    public void close() throws Exception {
        kit.close();
    }
}
