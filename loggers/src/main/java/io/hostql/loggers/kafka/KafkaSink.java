package io.hostql.loggers.kafka;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.hostql.config.osquery.OsqueryConfig;
import io.hostql.events.LogLineEvent;
import io.hostql.loggers.delivery.Sink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * osquery's kafka_producer: each result and snapshot line, unchanged, as one Kafka message keyed
 * {@code <hostname>_osqueryd} (so all of a host's lines land in one partition, in order), to the topic
 * the config's {@code kafka_topics} gives its query, else {@code --logger_kafka_topic}. Status lines
 * are not sent, as in osquery.
 *
 * <p>Unlike osquery, whose unsent messages live only in librdkafka's memory, the lines wait in the
 * outbox: a batch counts as delivered when the broker acknowledged every message of it (acks=all with
 * the idempotent producer by default; with acks=1 the leader's, with acks=0 the socket write). deliver
 * runs on the sink's own thread, and every wait in it is bounded (max.block.ms for metadata,
 * delivery.timeout.ms per message), so a dead broker becomes a retried batch within seconds.
 */
public final class KafkaSink implements Sink {
    private static final Logger log = LoggerFactory.getLogger(KafkaSink.class);
    private static final JsonFactory JSON = new JsonFactory();

    private final Properties producerConfig;
    private final String brokers, baseTopic;
    private final byte[] key;
    private volatile Map<String, String> topics = Map.of();
    private volatile KafkaProducer<byte[], byte[]> producer;

    KafkaSink(Properties producerConfig, String brokers, String baseTopic, String hostname) {
        this.producerConfig = producerConfig;
        this.brokers = brokers;
        this.baseTopic = baseTopic;
        this.key = (hostname + "_osqueryd").getBytes(StandardCharsets.UTF_8);
    }

    /** The producer's configuration (for tests: what the flags turned into). */
    Properties producerConfig() {
        return producerConfig;
    }

    @Override
    public String plugin() {
        return "kafka_producer";
    }

    @Override
    public String target() {
        return brokers + (baseTopic.isEmpty() ? "" : " topic " + baseTopic);
    }

    @Override
    public boolean takesStatus() {
        return false;
    }

    @Override
    public void configure(OsqueryConfig config) {
        Map<String, String> next = config.kafkaTopics();
        if (next.isEmpty() && baseTopic.isEmpty()) {
            log.warn("logger kafka_producer: no topic: --logger_kafka_topic is empty and the config has no kafka_topics; no line goes to Kafka");
        }
        topics = next;
    }

    /** The topic of a line: its query's in kafka_topics, else the base topic; null: none (the line is not for Kafka). */
    String topicOf(byte[] line) {
        Map<String, String> t = topics;
        if (!t.isEmpty()) {
            String topic = t.get(queryName(line));
            if (topic != null) return topic;
        }
        return baseTopic.isEmpty() ? null : baseTopic;
    }

    /** The top-level "name" of a result or snapshot line (null when it has none). */
    static String queryName(byte[] line) {
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if (field.equals("name") && v == JsonToken.VALUE_STRING) return p.getText();
                p.skipChildren();
            }
        } catch (IOException e) {
            // not JSON: no query name, so the base topic
        }
        return null;
    }

    @Override
    public void deliver(List<LogLineEvent> lines, Refused refused) throws IOException {
        KafkaProducer<byte[], byte[]> p = producer();
        List<Future<RecordMetadata>> sent = new ArrayList<>(lines.size());
        List<LogLineEvent> sentLines = new ArrayList<>(lines.size());
        try {
            for (LogLineEvent l : lines) {
                String topic = topicOf(l.line());
                if (topic == null) continue; // a query kafka_topics does not list, and no base topic: not for Kafka
                Future<RecordMetadata> f = p.send(new ProducerRecord<>(topic, key, l.line()));
                // A send that failed at once (no metadata for the topic in max.block.ms: broker away or topic
                // missing) would fail the same way for every other line: stop here rather than wait once per line.
                if (f.isDone() && failure(f) instanceof Exception e && !permanent(e)) throw retry(topic, e);
                sent.add(f);
                sentLines.add(l);
            }
            p.flush(); // every message acknowledged or failed (bounded by delivery.timeout.ms)
        } catch (KafkaException e) {
            throw new IOException("cannot send to Kafka at " + brokers + ": " + message(e), e);
        }
        List<LogLineEvent> refusedLines = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
            Throwable e = failure(sent.get(i));
            if (e == null) continue;
            if (!permanent(e)) throw retry(topicOf(sentLines.get(i).line()), e);
            refusedLines.add(sentLines.get(i));
            reasons.add("Kafka refused it: " + message(e));
        }
        // Counted only once the batch as a whole succeeded: a retried batch would count them again.
        for (int i = 0; i < refusedLines.size(); i++) refused.line(refusedLines.get(i), reasons.get(i));
    }

    private KafkaProducer<byte[], byte[]> producer() throws IOException {
        KafkaProducer<byte[], byte[]> p = producer;
        if (p != null) return p;
        try {
            p = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
        } catch (KafkaException e) {
            throw new IOException("cannot start a Kafka producer for " + brokers + ": " + message(e), e);
        }
        producer = p;
        return p;
    }

    /** The exception a finished send ended with, or null when it was acknowledged. */
    private static Throwable failure(Future<RecordMetadata> f) {
        try {
            f.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause() == null ? e : e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e;
        }
    }

    /** Errors no retry can cure: the line is counted as lost. Anything else (broker away, topic missing, no leader) is retried. */
    static boolean permanent(Throwable e) {
        return e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException || e instanceof InvalidTopicException;
    }

    private IOException retry(String topic, Throwable e) {
        return new IOException("topic " + topic + " at " + brokers + ": " + message(e), e);
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    @Override
    public void close() {
        KafkaProducer<byte[], byte[]> p = producer;
        producer = null;
        // Aborts what is still queued (it is resent from the outbox) and any wait in deliver on another thread.
        if (p != null) p.close(Duration.ZERO);
    }
}
