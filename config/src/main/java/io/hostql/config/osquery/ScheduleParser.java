package io.hostql.config.osquery;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The typed schedule, packs, decorators and views of a config, by osquery's rules (packs.cpp), with
 * every problem located: wrong types and an interval outside 1..604800 are errors, unknown keys
 * warnings. Packs given as a path are read from that file; the pack name "*" loads every file its
 * glob matches, each as a pack named after the file.
 */
final class ScheduleParser {
    static final long MAX_INTERVAL = 604800;
    private static final Set<String> QUERY_KEYS = Set.of("query", "interval", "snapshot", "removed", "platform", "version",
            "shard", "denylist", "blacklist", "startup_priority", "description", "value");
    private static final Set<String> PACK_KEYS = Set.of("queries", "discovery", "platform", "version", "shard", "oncall",
            "name", "description");

    private final Checker c;
    private final Path configDir;
    private final Map<String, String> locations = new LinkedHashMap<>();

    ScheduleParser(Checker c, Path configFile) {
        this.c = c;
        Path parent = configFile.toAbsolutePath().getParent();
        this.configDir = parent == null ? Path.of("/") : parent;
    }

    /** The schedule as pack "main", then the packs in config order. */
    List<Pack> packs(JsonNode schedule, JsonNode packs) {
        List<Pack> out = new ArrayList<>();
        if (schedule != null) {
            if (!schedule.isObject()) c.error("schedule", "", "must be an object of query names to queries, got " + Checker.kind(schedule));
            else out.add(new Pack(Pack.MAIN, List.of(), "", "", 0, queries("schedule", "", Pack.MAIN, schedule), c.where("schedule", "")));
        }
        if (packs == null) return out;
        if (!packs.isObject()) {
            c.error("packs", "", "must be an object of pack names to packs or pack file paths, got " + Checker.kind(packs));
            return out;
        }
        var it = packs.fields();
        while (it.hasNext()) {
            var e = it.next();
            String name = e.getKey(), sub = "/" + pointerPart(name);
            JsonNode v = e.getValue();
            if (name.equals("*")) {
                if (!v.isTextual()) c.error("packs", sub, "the \"*\" pack must be a glob of pack files, got " + Checker.kind(v));
                else for (Path f : glob(v.asText(), sub)) fromFile(stem(f), f, sub, out);
            } else if (v.isTextual()) {
                fromFile(name, configDir.resolve(v.asText()), sub, out);
            } else if (v.isObject()) {
                Pack p = pack("packs", sub, name, v);
                if (p != null) out.add(p);
            } else {
                c.error("packs", sub, "must be a pack object or the path of a pack file, got " + Checker.kind(v));
            }
        }
        return out;
    }

    private void fromFile(String name, Path file, String sub, List<Pack> out) {
        String text;
        try {
            text = io.hostql.config.Utf8Text.read(file);
        } catch (IOException e) {
            c.error("packs", sub, "cannot read pack file " + file + ": " + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
            return;
        }
        List<ConfigError> parseErrors = new ArrayList<>();
        LocatedJson json = LocatedJson.parse(file.toString(), text, parseErrors);
        if (json == null) {
            parseErrors.forEach(err -> c.error("packs", sub, err.toString()));
            return;
        }
        String packSub = "/" + pointerPart(name);
        c.addOrigin("packs" + packSub, new Checker.Source(file.toString(), json, "", packSub));
        if (!json.root.isObject()) {
            c.error("packs", packSub, "a pack file must hold a JSON object, got " + Checker.kind(json.root));
            return;
        }
        Pack p = pack("packs", packSub, name, json.root);
        if (p != null) out.add(p);
    }

    private List<Path> glob(String pattern, String sub) {
        Path p = configDir.resolve(pattern);
        Path dir = p.getParent();
        List<Path> out = new ArrayList<>();
        if (dir == null || !Files.isDirectory(dir)) {
            c.warn("packs", sub, "no directory for the pack glob " + p);
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, p.getFileName().toString())) {
            ds.forEach(f -> {
                if (Files.isRegularFile(f)) out.add(f);
            });
        } catch (IOException | RuntimeException e) {
            c.error("packs", sub, "bad pack glob " + p + ": " + e.getMessage());
        }
        out.sort(null);
        if (out.isEmpty()) c.warn("packs", sub, "the pack glob " + p + " matches no file");
        return out;
    }

    private static String stem(Path f) {
        String n = f.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    private Pack pack(String key, String sub, String name, JsonNode v) {
        unknownKeys(key, sub, v, PACK_KEYS, "pack");
        List<String> discovery = new ArrayList<>(c.stringSet(v.get("discovery"), key, sub + "/discovery"));
        locate(v.get("discovery"), key, sub + "/discovery");
        String platform = string(key, sub + "/platform", v.get("platform"));
        String version = string(key, sub + "/version", v.get("version"));
        int shard = shard(key, sub + "/shard", v.get("shard"));
        JsonNode q = v.get("queries");
        List<ScheduledQuery> queries = List.of();
        if (q == null) c.warn(key, sub, "pack has no queries");
        else if (!q.isObject()) c.error(key, sub + "/queries", "must be an object of query names to queries, got " + Checker.kind(q));
        else queries = queries(key, sub + "/queries", name, q);
        return new Pack(name, discovery, platform, version, shard, queries, c.where(key, sub));
    }

    private List<ScheduledQuery> queries(String key, String sub, String pack, JsonNode node) {
        List<ScheduledQuery> out = new ArrayList<>();
        var it = node.fields();
        while (it.hasNext()) {
            var e = it.next();
            String name = e.getKey(), qs = sub + "/" + pointerPart(name);
            JsonNode q = e.getValue();
            if (!q.isObject()) {
                c.error(key, qs, "must be a query object with \"query\" and \"interval\", got " + Checker.kind(q));
                continue;
            }
            if (name.startsWith("query.") || name.startsWith("cache.") || name.startsWith("config_views.")
                    || name.endsWith("epoch") || name.endsWith("counter") || name.isEmpty()) {
                c.error(key, qs, "query name '" + name + "' is reserved (it may not start with query., cache. or config_views."
                        + " nor end with epoch or counter)");
                continue;
            }
            unknownKeys(key, qs, q, QUERY_KEYS, "query");
            JsonNode sql = q.get("query");
            if (sql == null || !sql.isTextual() || sql.asText().isBlank()) {
                c.error(key, qs + (sql == null ? "" : "/query"), sql == null ? "has no \"query\""
                        : "\"query\" must be a SQL string, got " + (sql.isTextual() ? "an empty string" : Checker.kind(sql)));
                continue;
            }
            long interval = interval(key, qs + "/interval", q.get("interval"));
            boolean snapshot = bool(key, qs + "/snapshot", q.get("snapshot"), false);
            boolean removed = bool(key, qs + "/removed", q.get("removed"), true);
            JsonNode deny = q.has("denylist") ? q.get("denylist") : q.get("blacklist");
            boolean denylist = bool(key, qs + (q.has("denylist") ? "/denylist" : "/blacklist"), deny, true);
            String platform = string(key, qs + "/platform", q.get("platform"));
            String version = string(key, qs + "/version", q.get("version"));
            int shard = shard(key, qs + "/shard", q.get("shard"));
            out.add(new ScheduledQuery(pack, name, sql.asText(), interval, snapshot, removed, platform, version, shard, denylist,
                    c.where(key, qs + "/query")));
        }
        return out;
    }

    private long interval(String key, String sub, JsonNode v) {
        if (v == null) return 0;
        long n;
        if (v.isIntegralNumber()) n = v.asLong();
        else if (v.isTextual() && v.asText().strip().matches("-?\\d{1,18}")) n = Long.parseLong(v.asText().strip());
        else {
            c.error(key, sub, "must be a whole number of seconds, got " + describe(v));
            return 0;
        }
        if (n < 1 || n > MAX_INTERVAL) {
            c.error(key, sub, "must be between 1 and " + MAX_INTERVAL + " seconds, got " + n);
            return 0;
        }
        return n;
    }

    private int shard(String key, String sub, JsonNode v) {
        if (v == null) return 0;
        long n = -1;
        if (v.isIntegralNumber()) n = v.asLong();
        else if (v.isTextual() && v.asText().strip().matches("\\d{1,4}")) n = Long.parseLong(v.asText().strip());
        if (n < 1 || n > 100) {
            c.error(key, sub, "must be a whole number between 1 and 100, got " + describe(v));
            return 0;
        }
        return (int) n;
    }

    private boolean bool(String key, String sub, JsonNode v, boolean dflt) {
        if (v == null) return dflt;
        if (v.isBoolean()) return v.asBoolean();
        c.error(key, sub, "must be true or false, got " + describe(v));
        return dflt;
    }

    private String string(String key, String sub, JsonNode v) {
        if (v == null || v.isNull()) return "";
        if (v.isTextual()) return v.asText();
        c.error(key, sub, "must be a string, got " + describe(v));
        return "";
    }

    private void unknownKeys(String key, String sub, JsonNode obj, Set<String> known, String what) {
        obj.fieldNames().forEachRemaining(k -> {
            if (!known.contains(k)) c.warn(key, sub + "/" + pointerPart(k), "unknown " + what + " key; ignored");
        });
    }

    Decorators decorators(JsonNode node) {
        if (node == null) return Decorators.NONE;
        if (!node.isObject()) {
            c.error("decorators", "", "must be an object with load, always and interval, got " + Checker.kind(node));
            return Decorators.NONE;
        }
        unknownKeys("decorators", "", node, Set.of("load", "always", "interval"), "decorators");
        List<String> load = new ArrayList<>(c.stringSet(node.get("load"), "decorators", "/load"));
        List<String> always = new ArrayList<>(c.stringSet(node.get("always"), "decorators", "/always"));
        locate(node.get("load"), "decorators", "/load");
        locate(node.get("always"), "decorators", "/always");
        Map<Long, List<String>> interval = new LinkedHashMap<>();
        JsonNode iv = node.get("interval");
        if (iv != null && !iv.isObject()) {
            c.error("decorators", "/interval", "must be an object of seconds to arrays of queries, got " + Checker.kind(iv));
        } else if (iv != null) {
            var it = iv.fields();
            while (it.hasNext()) {
                var e = it.next();
                String sub = "/interval/" + pointerPart(e.getKey());
                List<String> qs = new ArrayList<>(c.stringSet(e.getValue(), "decorators", sub));
                locate(e.getValue(), "decorators", sub);
                if (!e.getKey().strip().matches("\\d{1,9}")) {
                    c.error("decorators", sub, "the interval must be a whole number of seconds, got '" + e.getKey() + "'");
                } else if (Long.parseLong(e.getKey().strip()) % 60 != 0 || Long.parseLong(e.getKey().strip()) == 0) {
                    c.warn("decorators", sub, "the interval must be a multiple of 60 seconds; these decorators will not run");
                } else {
                    interval.put(Long.parseLong(e.getKey().strip()), qs);
                }
            }
        }
        return new Decorators(load, always, interval);
    }

    /** "file:line" of every SQL text that is not a scheduled query (discovery, decorators, views), for --config_check. */
    Map<String, String> locations() {
        return locations;
    }

    private void locate(JsonNode array, String key, String sub) {
        if (array == null || !array.isArray()) return;
        for (int i = 0; i < array.size(); i++) {
            if (array.get(i).isTextual()) locations.putIfAbsent(array.get(i).asText(), c.where(key, sub + "/" + i));
        }
    }

    Map<String, String> views(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null) return out;
        if (!node.isObject()) {
            c.error("views", "", "must be an object of view names to SQL, got " + Checker.kind(node));
            return out;
        }
        node.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual() || e.getValue().asText().isBlank()) {
                c.error("views", "/" + pointerPart(e.getKey()), "must be a SELECT statement, got " + describe(e.getValue()));
            } else if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                c.error("views", "/" + pointerPart(e.getKey()), "a view name must be a plain identifier (letters, digits, _)");
            } else {
                out.put(e.getKey(), e.getValue().asText());
                locations.putIfAbsent(e.getValue().asText(), c.where("views", "/" + pointerPart(e.getKey())));
            }
        });
        return out;
    }

    static String pointerPart(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }

    private static String describe(JsonNode v) {
        return v.isTextual() ? "'" + v.asText() + "'" : v.isNumber() || v.isBoolean() ? v.toString() : Checker.kind(v);
    }
}
