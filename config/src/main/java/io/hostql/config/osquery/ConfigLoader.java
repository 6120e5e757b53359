package io.hostql.config.osquery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hostql.config.Utf8Text;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads osquery's JSON config: the main file, then every {@code <config_path>.d/*.conf} in name
 * order (their top-level objects merge into the main one, key by key). Problems are collected with
 * file, line and key; any fatal one makes {@link #load} throw a {@link ConfigException} listing all.
 */
public final class ConfigLoader {
    /** Top-level keys osquery knows; hostql acts on some and accepts the rest with a warning. */
    private static final Set<String> KNOWN = Set.of("options", "schedule", "packs", "decorators", "file_paths",
            "file_paths_query", "exclude_paths", "file_accesses", "events", "views", "alerts", "prometheus_targets", "kafka_topics", "yara");
    private static final Set<String> IGNORED = Set.of("auto_table_construction",
            "feature_vectors", "osquery_config_version");

    private ConfigLoader() {}

    public static OsqueryConfig load(Path configPath) {
        List<ConfigError> errors = new ArrayList<>();
        List<ConfigError> warnings = new ArrayList<>();
        ObjectNode merged = JsonNodeFactory.instance.objectNode();
        Map<String, Checker.Source> origin = new LinkedHashMap<>();
        MessageDigest sha1 = sha1();

        List<Path> files = new ArrayList<>();
        files.add(configPath);
        Path dropIns = Path.of(configPath + ".d");
        if (Files.isDirectory(dropIns)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dropIns, "*.conf")) {
                List<Path> more = new ArrayList<>();
                ds.forEach(more::add);
                more.sort(null);
                files.addAll(more);
            } catch (IOException e) {
                warnings.add(new ConfigError(dropIns.toString(), 0, "", "cannot list drop-in configs: " + e.getMessage(), false));
            }
        }
        for (Path f : files) {
            String text;
            try {
                text = Utf8Text.read(f);
            } catch (NoSuchFileException e) {
                errors.add(new ConfigError(f.toString(), 0, "", "no such file", true));
                continue;
            } catch (Utf8Text.NotUtf8Exception e) {
                errors.add(new ConfigError(f.toString(), e.line(), "", e.getMessage(), true));
                continue;
            } catch (IOException e) {
                errors.add(new ConfigError(f.toString(), 0, "", "cannot read: " + e.getMessage(), true));
                continue;
            }
            sha1.update(text.getBytes(StandardCharsets.UTF_8));
            LocatedJson json = LocatedJson.parse(f.toString(), text, errors);
            if (json == null) continue;
            if (!json.root.isObject()) {
                errors.add(new ConfigError(f.toString(), json.line(""), "", "a config must be a JSON object", true));
                continue;
            }
            var it = json.root.fields();
            while (it.hasNext()) {
                var e = it.next();
                Checker.Source src = new Checker.Source(f.toString(), json, "/" + e.getKey());
                JsonNode existing = merged.get(e.getKey());
                if (existing != null && existing.isObject() && e.getValue().isObject()) {
                    ((ObjectNode) existing).setAll((ObjectNode) e.getValue());
                } else {
                    merged.set(e.getKey(), e.getValue());
                }
                origin.put(e.getKey(), src);
                // Drop-ins merge entry by entry, so each entry remembers its own file.
                if (e.getValue().isObject()) {
                    e.getValue().fieldNames().forEachRemaining(k -> origin.put(e.getKey() + "/" + ScheduleParser.pointerPart(k), src));
                }
            }
        }
        if (!errors.isEmpty()) throw new ConfigException(errors);

        Checker c = new Checker(origin, errors, warnings);
        var keys = merged.fieldNames();
        while (keys.hasNext()) {
            String k = keys.next();
            if (IGNORED.contains(k)) c.warn(k, "", "not supported by hostql; ignored");
            else if (!KNOWN.contains(k)) c.warn(k, "", "unknown top-level key; ignored");
        }
        Map<String, String> options = c.options(merged.get("options"));
        FileMonitoring fim = new FileMonitoring(c.pathMap(merged, "file_paths"), c.pathMap(merged, "exclude_paths"),
                c.stringSet(merged.get("file_accesses"), "file_accesses", ""));
        for (String cat : fim.excludePaths().keySet()) {
            if (!fim.filePaths().containsKey(cat)) c.warn("exclude_paths", "/" + cat, "category '" + cat + "' is not in file_paths; its excludes still apply to every category");
        }
        for (String cat : fim.fileAccesses()) {
            if (!fim.filePaths().containsKey(cat)) c.warn("file_accesses", "", "category '" + cat + "' is not in file_paths");
        }
        if (merged.has("file_paths_query")) c.warn("file_paths_query", "", "not supported yet; ignored");
        Set<String> enable = Set.of(), disable = Set.of();
        JsonNode events = merged.get("events");
        if (events != null) {
            if (!events.isObject()) c.error("events", "", "must be an object with enable_subscribers / disable_subscribers");
            else {
                enable = c.stringSet(events.get("enable_subscribers"), "events", "/enable_subscribers");
                disable = c.stringSet(events.get("disable_subscribers"), "events", "/disable_subscribers");
            }
        }
        ScheduleParser sp = new ScheduleParser(c, configPath);
        List<Pack> packs = sp.packs(merged.get("schedule"), merged.get("packs"));
        Decorators decorators = sp.decorators(merged.get("decorators"));
        Map<String, String> views = sp.views(merged.get("views"));
        KafkaTopics.parse(merged.get("kafka_topics"), c); // checked here; read by the kafka_producer plugin through OsqueryConfig
        YaraConfig yara = YaraConfig.parse(merged.get("yara"), fim.filePaths(), c); // checked and parsed once, here
        if (!errors.isEmpty()) throw new ConfigException(errors);
        return new OsqueryConfig(configPath.toString(), HexFormat.of().formatHex(sha1.digest()), options, fim, enable,
                disable, packs, decorators, views, sp.locations(), merged, List.copyOf(warnings), yara);
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
