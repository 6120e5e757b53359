package io.hostql.config.osquery;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * osquery's top-level {@code "kafka_topics": {"topic": ["query name", ...]}}: which Kafka topic the
 * kafka_producer logger plugin sends a query's lines to (a name not listed goes to
 * {@code --logger_kafka_topic}). Query names are the result line's {@code name}, so a pack's query
 * is {@code pack_<pack>_<query>}, as in osquery.
 */
public final class KafkaTopics {
    /** Kafka's rule for a topic name (org.apache.kafka.common.internals.Topic): legal characters, at most 249 of them. */
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private KafkaTopics() {}

    public static boolean validTopic(String topic) {
        return TOPIC.matcher(topic).matches() && !topic.equals(".") && !topic.equals("..");
    }

    /** Query name to topic; problems go to c (null: the config was checked when it was loaded). */
    static Map<String, String> parse(JsonNode node, Checker c) {
        Map<String, String> byQuery = new LinkedHashMap<>();
        if (node == null) return byQuery;
        if (!node.isObject()) {
            if (c != null) c.error("kafka_topics", "", "must be an object of topic names to arrays of query names, got " + Checker.kind(node));
            return byQuery;
        }
        var it = node.fields();
        while (it.hasNext()) {
            var e = it.next();
            String topic = e.getKey(), sub = "/" + ScheduleParser.pointerPart(topic);
            if (!validTopic(topic)) {
                if (c != null) c.error("kafka_topics", sub, "'" + topic + "' is not a valid Kafka topic name (1 to 249 of a-z A-Z 0-9 . _ -)");
                continue;
            }
            for (String query : c != null ? c.stringSet(e.getValue(), "kafka_topics", sub) : strings(e.getValue())) {
                String was = byQuery.put(query, topic);
                if (was != null && !was.equals(topic) && c != null) {
                    c.warn("kafka_topics", sub, "query '" + query + "' is also listed under topic '" + was + "'; its lines go to '" + topic + "'");
                }
            }
        }
        return Collections.unmodifiableMap(byQuery);
    }

    private static java.util.List<String> strings(JsonNode array) {
        java.util.List<String> out = new java.util.ArrayList<>();
        if (array != null && array.isArray()) for (JsonNode n : array) if (n.isTextual()) out.add(n.asText());
        return out;
    }
}
