package io.hostql.config.osquery;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * osquery's top-level {@code "yara"} key: {@code signatures} names groups of rule files
 * ({@code "group": ["/path/rules.yar", ...]}, a relative path being under {@link #HOME}),
 * {@code file_paths} gives the groups that yara_events scans a {@code file_paths} category's changed
 * files with ({@code "category": ["group", ...]}), and {@code signature_urls} lists the URL patterns
 * osquery may fetch rules from (accepted and checked; hostql fetches no rules: see {@link #signatureUrls}).
 */
public record YaraConfig(Map<String, List<Path>> signatures, Map<String, List<String>> filePaths, List<String> signatureUrls) {
    /** Where a relative rule file is, as osquery's {@code OSQUERY_HOME/yara/}. */
    public static final Path HOME = Path.of("/etc/hostql/yara");
    public static final YaraConfig EMPTY = new YaraConfig(Map.of(), Map.of(), List.of());

    /** The signature groups whose rules yara_events scans a category's files with (empty: none). */
    public List<String> groupsFor(String category) {
        return filePaths.getOrDefault(category, List.of());
    }

    /** The rule files of a group, or null for a group the config does not name. */
    public List<Path> group(String name) {
        return signatures.get(name);
    }

    /** The key as read from a running config's JSON (checked when that config was loaded); null gives {@link #EMPTY}. */
    public static YaraConfig of(JsonNode node) {
        return parse(node, Map.of(), null);
    }

    /** Checks the key when the config is loaded (c not null), or reads a config checked before (c null). */
    static YaraConfig parse(JsonNode node, Map<String, List<String>> fimCategories, Checker c) {
        if (node == null || node.isNull()) return EMPTY;
        if (!node.isObject()) {
            if (c != null) c.error("yara", "", "must be an object with signatures, file_paths and signature_urls, got " + Checker.kind(node));
            return EMPTY;
        }
        Map<String, List<Path>> signatures = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> g : lists(node.get("signatures"), "/signatures", c).entrySet()) {
            List<Path> files = new ArrayList<>();
            for (String f : g.getValue()) {
                Path p = f.startsWith("/") ? Path.of(f) : HOME.resolve(f);
                if (c != null && !Files.isRegularFile(p)) {
                    c.warn("yara", "/signatures/" + ScheduleParser.pointerPart(g.getKey()), "rule file " + p + " does not exist (yet)");
                }
                files.add(p);
            }
            signatures.put(g.getKey(), List.copyOf(files));
        }
        Map<String, List<String>> filePaths = lists(node.get("file_paths"), "/file_paths", c);
        if (c != null) {
            for (Map.Entry<String, List<String>> e : filePaths.entrySet()) {
                String sub = "/file_paths/" + ScheduleParser.pointerPart(e.getKey());
                if (!fimCategories.containsKey(e.getKey())) c.warn("yara", sub, "category '" + e.getKey() + "' is not in file_paths");
                for (String group : e.getValue()) {
                    // a warning, as osquery accepts it: yara_events then says so for each file of the category
                    if (!signatures.containsKey(group)) c.warn("yara", sub, "signature group '" + group + "' is not in yara.signatures");
                }
            }
        }
        List<String> urls = new ArrayList<>();
        JsonNode u = node.get("signature_urls");
        if (u != null) {
            for (String url : c != null ? c.stringSet(u, "yara", "/signature_urls") : strings(u)) {
                try {
                    Pattern.compile(url);
                    urls.add(url);
                } catch (PatternSyntaxException ex) {
                    if (c != null) c.error("yara", "/signature_urls", "'" + url + "' is not a regular expression: " + ex.getDescription());
                }
            }
            if (c != null && !urls.isEmpty()) c.warn("yara", "/signature_urls", "hostql does not fetch YARA rules over the network (sigurl); ignored");
        }
        return new YaraConfig(Collections.unmodifiableMap(signatures), filePaths, List.copyOf(urls));
    }

    /** An object of names to arrays of strings. */
    private static Map<String, List<String>> lists(JsonNode node, String sub, Checker c) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (node == null) return out;
        if (!node.isObject()) {
            if (c != null) c.error("yara", sub, "must be an object of names to arrays of strings, got " + Checker.kind(node));
            return out;
        }
        var it = node.fields();
        while (it.hasNext()) {
            var e = it.next();
            String at = sub + "/" + ScheduleParser.pointerPart(e.getKey());
            out.put(e.getKey(), List.copyOf(c != null ? c.stringSet(e.getValue(), "yara", at) : strings(e.getValue())));
        }
        return Collections.unmodifiableMap(out);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null && array.isArray()) for (JsonNode n : array) if (n.isTextual()) out.add(n.asText());
        return out;
    }
}
