package io.hostql.config.osquery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzing of the osquery JSON config (ConfigLoader, LocatedJson, Checker, ScheduleParser): config-shaped
 * JSON with any values where osquery's keys go, the same text damaged, random text and random bytes, with
 * drop-ins and pack files. Any input gives a config or a ConfigException whose message names the file;
 * never another exception (which hostqld would report as a crash, not as a config error).
 */
class ConfigFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static Path dir;

    @BeforeContainer
    static void makeDir() throws Exception {
        dir = Files.createTempDirectory("config-fuzz");
    }

    @AfterContainer
    static void removeDir() throws Exception {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    record Input(byte[] main, byte[] dropIn, byte[] pack) {}

    @Property
    void anyConfigLoadsOrFailsWithAConfigException(@ForAll("inputs") Input in) throws Exception {
        Path conf = dir.resolve("hostql.conf");
        Path dropIns = dir.resolve("hostql.conf.d");
        Files.write(conf, in.main);
        Files.createDirectories(dropIns);
        Path dropIn = dropIns.resolve("10-extra.conf");
        if (in.dropIn != null) Files.write(dropIn, in.dropIn);
        else Files.deleteIfExists(dropIn);
        Files.write(dir.resolve("pack.json"), in.pack);
        try {
            OsqueryConfig c = ConfigLoader.load(conf);
            assertThat(c.packs()).isNotNull();
        } catch (ConfigException e) {
            assertThat(e.getMessage()).contains(dir.toString());
            assertThat(e.errors()).isNotEmpty();
        }
    }

    // ---- regressions ---------------------------------------------------------------------------

    /**
     * Found by anyConfigLoadsOrFailsWithAConfigException: a pack path with a NUL character threw InvalidPathException
     * out of the loader.
     */
    @Example
    void aPackPathWithANulIsAConfigError() throws Exception {
        Path conf = dir.resolve("nul.conf");
        Files.writeString(conf, "{\"packs\": {\"p\": \"a\\u0000b\"}}");
        assertThatThrownBy(() -> ConfigLoader.load(conf)).isInstanceOf(ConfigException.class).hasMessageContaining("packs.p")
                .hasMessageContaining("pack file");
    }

    /** The same for the "*" pack's glob. */
    @Example
    void aPackGlobWithANulIsAConfigError() throws Exception {
        Path conf = dir.resolve("nulglob.conf");
        Files.writeString(conf, "{\"packs\": {\"*\": \"packs/\\u0000*.json\"}}");
        assertThatThrownBy(() -> ConfigLoader.load(conf)).isInstanceOf(ConfigException.class).hasMessageContaining("packs.*");
    }

    // ---- generators ----------------------------------------------------------------------------

    @Provide
    Arbitrary<Input> inputs() {
        Arbitrary<byte[]> main = Arbitraries.frequencyOf(Tuple.of(6, configs().map(ConfigFuzzTest::utf8)),
                Tuple.of(3, damaged(configs().map(ConfigFuzzTest::utf8))), Tuple.of(1, text()), Tuple.of(1, bytes()));
        Arbitrary<byte[]> dropIn = Arbitraries.oneOf(configs().map(ConfigFuzzTest::utf8), damaged(configs().map(ConfigFuzzTest::utf8)))
                .injectNull(0.7);
        Arbitrary<byte[]> pack = Arbitraries.oneOf(pack().map(ConfigFuzzTest::utf8), damaged(pack().map(ConfigFuzzTest::utf8)), bytes());
        return Combinators.combine(main, dropIn, pack).as(Input::new);
    }

    /** osquery's top-level keys, each with a well-formed value or anything. */
    private static Arbitrary<JsonNode> configs() {
        Arbitrary<Tuple.Tuple2<String, JsonNode>> entry = Arbitraries.oneOf(
                options().map(v -> Tuple.of("options", v)),
                schedule().map(v -> Tuple.of("schedule", v)),
                packs().map(v -> Tuple.of("packs", v)),
                decorators().map(v -> Tuple.of("decorators", v)),
                pathMap().map(v -> Tuple.of("file_paths", v)),
                pathMap().map(v -> Tuple.of("exclude_paths", v)),
                stringArray().map(v -> Tuple.of("file_accesses", v)),
                events().map(v -> Tuple.of("events", v)),
                views().map(v -> Tuple.of("views", v)),
                Combinators.combine(Arbitraries.of("options", "schedule", "packs", "decorators", "file_paths", "exclude_paths",
                        "file_accesses", "events", "views", "yara", "file_paths_query", "unknown"), anyJson()).as(Tuple::of),
                Combinators.combine(keys(), anyJson()).as(Tuple::of));
        return entry.list().ofMaxSize(6).map(es -> {
            ObjectNode o = F.objectNode();
            for (var e : es) o.set(e.get1(), e.get2());
            return o;
        });
    }

    private static Arbitrary<JsonNode> options() {
        return Combinators.combine(Arbitraries.of("config_refresh", "logger_path", "events_expiry", "disable_events", "a..b", "",
                "no_such_flag", ".", "x.y", "\"q\""), scalar()).as((k, v) -> (JsonNode) F.objectNode().set(k, v)).list().ofMaxSize(4)
                .map(ConfigFuzzTest::merge);
    }

    private static Arbitrary<JsonNode> query() {
        Arbitrary<JsonNode> sql = Arbitraries.oneOf(Arbitraries.of("select 1", "select * from processes", " ", "", "select 1; drop table x")
                .map(F::textNode), scalar());
        Arbitrary<JsonNode> interval = Arbitraries.oneOf(Arbitraries.longs().map(F::numberNode),
                Arbitraries.of("60", " 10 ", "-1", "99999999999999999999", "1e3", "0x10").map(F::textNode),
                Arbitraries.of(0L, 1L, 604800L, 604801L).map(F::numberNode), anyJson());
        Arbitrary<String> key = Arbitraries.of("snapshot", "removed", "platform", "version", "shard", "denylist", "blacklist", "description",
                "value", "other");
        return Combinators.combine(sql, interval, Combinators.combine(key, anyJson()).as(Tuple::of).list().ofMaxSize(3)).as((q, i, more) -> {
            ObjectNode o = F.objectNode();
            o.set("query", q);
            o.set("interval", i);
            for (var m : more) o.set(m.get1(), m.get2());
            return o;
        });
    }

    private static Arbitrary<JsonNode> schedule() {
        Arbitrary<String> names = Arbitraries.oneOf(keys(), Arbitraries.of("query.x", "cache.y", "epoch", "q_counter", ""));
        return Combinators.combine(names, Arbitraries.oneOf(query(), anyJson())).as((k, v) -> (JsonNode) F.objectNode().set(k, v)).list()
                .ofMaxSize(4).map(ConfigFuzzTest::merge);
    }

    private static Arbitrary<JsonNode> pack() {
        return Combinators.combine(schedule(), stringArray(), scalar(), scalar()).as((qs, disc, platform, shard) -> {
            ObjectNode o = F.objectNode();
            o.set("queries", qs);
            o.set("discovery", disc);
            o.set("platform", platform);
            o.set("shard", shard);
            return o;
        });
    }

    /** Packs inline, by path (pack.json exists; NUL, directories and missing files too) and the "*" glob. */
    private static Arbitrary<JsonNode> packs() {
        Arbitrary<JsonNode> byPath = Arbitraries.of("pack.json", "missing.json", ".", "/", "a\u0000b", "", "hostql.conf.d",
                "../" + "x".repeat(300)).map(F::textNode);
        Arbitrary<JsonNode> glob = Arbitraries.of("*.json", "*", "[", "{a,", "**", "\u0000*", "hostql.conf.d/*.conf", "nodir/*.json", "/*")
                .map(F::textNode);
        Arbitrary<Tuple.Tuple2<String, JsonNode>> entry = Arbitraries.oneOf(
                Combinators.combine(keys(), Arbitraries.oneOf(pack(), byPath, anyJson())).as(Tuple::of),
                Arbitraries.oneOf(glob, anyJson()).map(g -> Tuple.of("*", g)));
        return entry.list().ofMaxSize(3).map(es -> {
            ObjectNode o = F.objectNode();
            for (var e : es) o.set(e.get1(), e.get2());
            return o;
        });
    }

    private static Arbitrary<JsonNode> decorators() {
        Arbitrary<JsonNode> interval = Combinators.combine(Arbitraries.oneOf(Arbitraries.of("60", "3600", "0", "7", " 120", "-60",
                "99999999999", "abc"), keys()), Arbitraries.oneOf(stringArray(), anyJson()))
                .as((k, v) -> (JsonNode) F.objectNode().set(k, v)).list().ofMaxSize(3).map(ConfigFuzzTest::merge);
        return Combinators.combine(stringArray(), stringArray(), Arbitraries.oneOf(interval, anyJson())).as((l, a, i) -> {
            ObjectNode o = F.objectNode();
            o.set("load", l);
            o.set("always", a);
            o.set("interval", i);
            return o;
        });
    }

    private static Arbitrary<JsonNode> pathMap() {
        Arbitrary<JsonNode> paths = Arbitraries.of("/etc/%%", "/tmp/%", "relative", "/a/%%/b", "~/x", "", "/%%/", "/x\u0000y")
                .map(F::textNode).list().ofMaxSize(3).map(l -> {
                    ArrayNode a = F.arrayNode();
                    l.forEach(a::add);
                    return (JsonNode) a;
                });
        return Combinators.combine(keys(), Arbitraries.oneOf(paths, anyJson())).as((k, v) -> (JsonNode) F.objectNode().set(k, v)).list()
                .ofMaxSize(3).map(ConfigFuzzTest::merge);
    }

    private static Arbitrary<JsonNode> events() {
        return Combinators.combine(stringArray(), stringArray()).as((e, d) -> {
            ObjectNode o = F.objectNode();
            o.set("enable_subscribers", e);
            o.set("disable_subscribers", d);
            return o;
        });
    }

    private static Arbitrary<JsonNode> views() {
        return Combinators.combine(Arbitraries.oneOf(keys(), Arbitraries.of("v1", "1v", "a b", "_")), Arbitraries.oneOf(
                Arbitraries.of("select 1", "").map(F::textNode), anyJson())).as((k, v) -> (JsonNode) F.objectNode().set(k, v)).list()
                .ofMaxSize(3).map(ConfigFuzzTest::merge);
    }

    private static Arbitrary<JsonNode> stringArray() {
        return Arbitraries.oneOf(Arbitraries.oneOf(keys().map(F::textNode), scalar()).list().ofMaxSize(3).map(l -> {
            ArrayNode a = F.arrayNode();
            l.forEach(a::add);
            return (JsonNode) a;
        }), anyJson());
    }

    /** Keys as configs have them, and any text (slashes and tildes matter to the error locations). */
    private static Arbitrary<String> keys() {
        return Arbitraries.oneOf(Arbitraries.of("etc", "homes", "q1", "a/b", "~0", "~1", "", "*", ".", "a.b"),
                Arbitraries.strings().ofMaxLength(8), Arbitraries.strings().all().ofMaxLength(6));
    }

    private static Arbitrary<JsonNode> scalar() {
        return Arbitraries.oneOf(Arbitraries.strings().all().ofMaxLength(10).map(F::textNode), Arbitraries.longs().map(F::numberNode),
                Arbitraries.doubles().map(F::numberNode), Arbitraries.of(true, false).map(F::booleanNode), Arbitraries.just(F.nullNode()));
    }

    /** Any JSON value, nested a few levels. */
    private static Arbitrary<JsonNode> anyJson() {
        return Arbitraries.recursive(ConfigFuzzTest::scalar, inner -> Arbitraries.oneOf(
                inner.list().ofMaxSize(3).map(l -> {
                    ArrayNode a = F.arrayNode();
                    l.forEach(a::add);
                    return (JsonNode) a;
                }),
                Combinators.combine(keys(), inner).as((k, v) -> (JsonNode) F.objectNode().set(k, v)).list().ofMaxSize(3)
                        .map(ConfigFuzzTest::merge)), 0, 3);
    }

    private static JsonNode merge(List<JsonNode> objects) {
        ObjectNode o = F.objectNode();
        for (JsonNode n : objects) o.setAll((ObjectNode) n);
        return o;
    }

    private static byte[] utf8(JsonNode n) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n).getBytes(StandardCharsets.UTF_8);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Text damaged: cut, a piece of JSON syntax or a comment inserted, bytes replaced. */
    static Arbitrary<byte[]> damaged(Arbitrary<byte[]> valid) {
        Arbitrary<String> pieces = Arbitraries.of("{", "}", "[", "]", ",", ":", "\"", "\\", "// c\n", "# c\n", "/* c", "\u0000", "\n", "1e999999",
                "-", "99999999999999999999999", "\"\\ud800\"", "\uFEFF", "'", "NaN", "null", "\"\\u00", "{\"a\":".repeat(50), "[".repeat(2000));
        return Combinators.combine(valid, Arbitraries.integers().between(0, 2), Arbitraries.integers().greaterOrEqual(0), pieces,
                Arbitraries.bytes()).as((b, kind, where, piece, x) -> {
                    int at = b.length == 0 ? 0 : where % (b.length + 1);
                    switch (kind) {
                        case 0:
                            return java.util.Arrays.copyOf(b, at);
                        case 1: {
                            byte[] p = piece.getBytes(StandardCharsets.UTF_8);
                            byte[] out = new byte[b.length + p.length];
                            System.arraycopy(b, 0, out, 0, at);
                            System.arraycopy(p, 0, out, at, p.length);
                            System.arraycopy(b, at, out, at + p.length, b.length - at);
                            return out;
                        }
                        default: {
                            byte[] out = b.clone();
                            if (out.length > 0) out[where % out.length] = x;
                            return out;
                        }
                    }
                });
    }

    private static Arbitrary<byte[]> text() {
        return Arbitraries.strings().all().ofMaxLength(200).map(s -> s.getBytes(StandardCharsets.UTF_8));
    }

    private static Arbitrary<byte[]> bytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
    }
}
