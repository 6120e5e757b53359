package io.hostql.config.osquery;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An osquery-format JSON config, as loaded from {@code --config_path} and {@code <config_path>.d/*.conf}.
 * Everything is typed: packs (the schedule is pack "main"), decorators and views, with sqlLocations
 * giving the "file:line" of other SQL (discovery, decorators, views) for checks made later. warnings
 * lists what was ignored (unknown keys and the like); errors make a config unusable. yara is the {@code yara} key
 * (signature groups, and the groups yara_events scans each file_paths category with), parsed once at load.
 */
public record OsqueryConfig(String source, String hash, Map<String, String> options, FileMonitoring fileMonitoring,
        Set<String> enableSubscribers, Set<String> disableSubscribers, List<Pack> packs, Decorators decorators,
        Map<String, String> views, Map<String, String> sqlLocations, JsonNode raw, List<ConfigError> warnings,
        YaraConfig yara) {

    /** Whether a subscriber (table name) runs under the events key: the enable list first, the disable list last. */
    public boolean subscriberEnabled(String name) {
        if (!enableSubscribers.isEmpty() && !enableSubscribers.contains(name)) return false;
        return !disableSubscribers.contains(name);
    }

    /** {@code kafka_topics} as query name to Kafka topic (empty: every line goes to --logger_kafka_topic). */
    public Map<String, String> kafkaTopics() {
        return KafkaTopics.parse(raw == null ? null : raw.get("kafka_topics"), null);
    }

    /** The config's alert rules (read by the alert engine), or null. */
    public JsonNode alerts() {
        return raw == null ? null : raw.get("alerts");
    }
}
