package io.hostql.config.osquery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
            "file_paths_query", "exclude_paths", "file_accesses", "events", "views", "alerts");
    private static final Set<String> IGNORED = Set.of("yara", "auto_table_construction", "prometheus_targets",
            "feature_vectors", "osquery_config_version");

    private ConfigLoader() {}

    public static OsqueryConfig load(Path configPath) {
        List<ConfigError> errors = new ArrayList<>();
        List<ConfigError> warnings = new ArrayList<>();
        ObjectNode merged = JsonNodeFactory.instance.objectNode();
        Map<String, Source> origin = new LinkedHashMap<>();
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
                text = Files.readString(f, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                errors.add(new ConfigError(f.toString(), 0, "", "no such file", true));
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
                Source src = new Source(f.toString(), json, "/" + e.getKey());
                JsonNode existing = merged.get(e.getKey());
                if (existing != null && existing.isObject() && e.getValue().isObject()) {
                    ((ObjectNode) existing).setAll((ObjectNode) e.getValue());
                } else {
                    merged.set(e.getKey(), e.getValue());
                }
                origin.put(e.getKey(), src);
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
        if (!errors.isEmpty()) throw new ConfigException(errors);
        return new OsqueryConfig(configPath.toString(), HexFormat.of().formatHex(sha1.digest()), options, fim, enable,
                disable, merged.get("schedule"), merged.get("packs"), merged.get("decorators"), merged.get("views"),
                merged.get("alerts"), List.copyOf(warnings));
    }

    private record Source(String file, LocatedJson json, String pointer) {}

    /** Type checks that report "file:line: key: problem". */
    private static final class Checker {
        private final Map<String, Source> origin;
        private final List<ConfigError> errors, warnings;

        Checker(Map<String, Source> origin, List<ConfigError> errors, List<ConfigError> warnings) {
            this.origin = origin;
            this.errors = errors;
            this.warnings = warnings;
        }

        private ConfigError at(String key, String sub, String message, boolean fatal) {
            Source s = origin.get(key);
            String file = s == null ? "config" : s.file();
            int line = s == null ? 0 : Math.max(s.json().line(s.pointer() + sub), s.json().line(s.pointer()));
            String name = key + sub.replace('/', '.');
            return new ConfigError(file, line, name, message, fatal);
        }

        void error(String key, String sub, String message) {
            errors.add(at(key, sub, message, true));
        }

        void warn(String key, String sub, String message) {
            warnings.add(at(key, sub, message, false));
        }

        Map<String, String> options(JsonNode node) {
            Map<String, String> out = new LinkedHashMap<>();
            if (node == null) return out;
            if (!node.isObject()) {
                error("options", "", "must be an object of flag names to values, got " + kind(node));
                return out;
            }
            var it = node.fields();
            while (it.hasNext()) {
                var e = it.next();
                JsonNode v = e.getValue();
                if (v.isObject() || v.isArray() || v.isNull()) {
                    error("options", "/" + e.getKey(), "must be a string, number or boolean, got " + kind(v));
                } else {
                    out.put(e.getKey(), v.asText());
                }
            }
            return out;
        }

        Map<String, List<String>> pathMap(JsonNode root, String key) {
            Map<String, List<String>> out = new LinkedHashMap<>();
            JsonNode node = root.get(key);
            if (node == null) return out;
            if (!node.isObject()) {
                error(key, "", "must be an object of category names to arrays of paths, got " + kind(node));
                return out;
            }
            var it = node.fields();
            while (it.hasNext()) {
                var e = it.next();
                String sub = "/" + e.getKey();
                JsonNode v = e.getValue();
                List<String> paths = new ArrayList<>();
                if (v.isTextual()) {
                    paths.add(v.asText());
                } else if (v.isArray()) {
                    for (int i = 0; i < v.size(); i++) {
                        if (!v.get(i).isTextual()) error(key, sub + "/" + i, "must be a path string, got " + kind(v.get(i)));
                        else paths.add(v.get(i).asText());
                    }
                } else {
                    error(key, sub, "must be an array of paths, got " + kind(v));
                    continue;
                }
                for (int i = 0; i < paths.size(); i++) checkPattern(key, sub + "/" + i, paths.get(i));
                out.put(e.getKey(), paths);
            }
            return out;
        }

        private void checkPattern(String key, String sub, String p) {
            if (!p.startsWith("/")) {
                error(key, sub, "'" + p + "' must be an absolute path (use /home/%/... rather than ~)");
                return;
            }
            int dd = p.indexOf("%%");
            if (dd >= 0 && dd + 2 != p.length() && !(dd + 3 == p.length() && p.endsWith("/"))) {
                error(key, sub, "'" + p + "': %% (recursive) is only allowed at the end of a path");
            }
        }

        Set<String> stringSet(JsonNode node, String key, String sub) {
            Set<String> out = new LinkedHashSet<>();
            if (node == null) return out;
            if (!node.isArray()) {
                error(key, sub, "must be an array of strings, got " + kind(node));
                return out;
            }
            for (int i = 0; i < node.size(); i++) {
                if (node.get(i).isTextual()) out.add(node.get(i).asText());
                else error(key, sub + "/" + i, "must be a string, got " + kind(node.get(i)));
            }
            return out;
        }

        private static String kind(JsonNode n) {
            if (n.isObject()) return "an object";
            if (n.isArray()) return "an array";
            if (n.isTextual()) return "a string";
            if (n.isBoolean()) return "a boolean";
            if (n.isNumber()) return "a number";
            return "null";
        }
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
