package io.hostql.config.osquery;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Type checks that report "file:line: key: problem". Each top-level key (and each entry of an
 * object key, since drop-ins merge entry by entry) knows the file and JSON it came from.
 */
final class Checker {
    /**
     * Where a key's value was read: its file, parsed JSON and JSON pointer. dropPrefix is removed from
     * a sub-path first (a pack file holds "/packs/<name>" at its root).
     */
    record Source(String file, LocatedJson json, String pointer, String dropPrefix) {
        Source(String file, LocatedJson json, String pointer) {
            this(file, json, pointer, "");
        }
    }

    private final Map<String, Source> origin;
    private final List<ConfigError> errors, warnings;

    Checker(Map<String, Source> origin, List<ConfigError> errors, List<ConfigError> warnings) {
        this.origin = origin;
        this.errors = errors;
        this.warnings = warnings;
    }

    ConfigError at(String key, String sub, String message, boolean fatal) {
        int slash = sub.indexOf('/', 1);
        Source s = sub.length() > 1 ? origin.get(key + (slash < 0 ? sub : sub.substring(0, slash))) : null;
        if (s == null) s = origin.get(key);
        String file = s == null ? "config" : s.file();
        String rel = s != null && sub.startsWith(s.dropPrefix()) ? sub.substring(s.dropPrefix().length()) : sub;
        int line = s == null ? 0 : Math.max(s.json().line(s.pointer() + rel), s.json().line(s.pointer()));
        String name = key + sub.replace('/', '.');
        return new ConfigError(file, line, name, message, fatal);
    }

    void addOrigin(String key, Source source) {
        origin.put(key, source);
    }

    /** "file:line" of a value, for problems found after loading. */
    String where(String key, String sub) {
        ConfigError e = at(key, sub, "", false);
        return e.file() + (e.line() > 0 ? ":" + e.line() : "");
    }

    boolean hasErrors() {
        return !errors.isEmpty();
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

    static String kind(JsonNode n) {
        if (n.isObject()) return "an object";
        if (n.isArray()) return "an array";
        if (n.isTextual()) return "a string";
        if (n.isBoolean()) return "a boolean";
        if (n.isNumber()) return "a number";
        return "null";
    }
}
