package io.hostql.loggers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hostql.sql.QueryResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzing of the result-line writer: any row values (strings with control characters and unpaired
 * surrogates, bytes that are not UTF-8, extreme numbers, huge values), any column and decoration names,
 * every log format. Each line, as the filesystem logger writes it, is one line of valid UTF-8 JSON that
 * parses back to the values logged.
 *
 * <p>"The same value" for text that is not valid Unicode, as ResultLines documents it: bytes are read as
 * UTF-8 by Java's decoder, each malformed sequence becoming U+FFFD; an unpaired surrogate in a String
 * becomes U+FFFD too, so a value logs the same whether it came as a String or as its bytes. (Two names that
 * differ only in their unpaired surrogates then name the same JSON key; the generators leave those out.)
 */
class ResultLinesFuzzTest {
    // no field-name canonicalizing: random names would grow (and copy) its shared symbol table at every line
    private static final ObjectMapper STRICT = new ObjectMapper(JsonFactory.builder().disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build()).build());
    private static final Set<String> LINE_KEYS = Set.of("name", "hostIdentifier", "calendarTime", "unixTime", "epoch", "counter",
            "numerics", "decorations", "columns", "action", "diffResults", "snapshot");
    private static Path dir;

    @BeforeContainer
    static void makeDir() throws Exception {
        dir = Files.createTempDirectory("result-lines-fuzz");
    }

    @AfterContainer
    static void removeDir() throws Exception {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    record Run(QueryLogItem item, LogFormat format, List<Map<String, Object>> added, List<Map<String, Object>> removed) {}

    @Property
    void differentialLinesParseBackToTheRowsLogged(@ForAll("runs") Run run) throws Exception {
        List<String> lines = ResultLines.differential(run.item, run.format, run.added, run.removed);
        List<JsonNode> got = writtenAndReadBack(lines);
        if (run.added.isEmpty() && run.removed.isEmpty()) {
            assertThat(got).isEmpty();
            return;
        }
        if (run.format.eventFormat()) {
            assertThat(got).hasSize(run.removed.size() + run.added.size());
            for (int i = 0; i < got.size(); i++) {
                boolean removed = i < run.removed.size();
                Map<String, Object> row = removed ? run.removed.get(i) : run.added.get(i - run.removed.size());
                assertCommon(got.get(i), run);
                assertRow(got.get(i).get("columns"), row, run.format);
                assertThat(got.get(i).get("action").asText()).isEqualTo(removed ? "removed" : "added");
            }
        } else {
            assertThat(got).hasSize(1);
            assertCommon(got.get(0), run);
            assertRows(got.get(0).get("diffResults").get("removed"), run.removed, run.format);
            assertRows(got.get(0).get("diffResults").get("added"), run.added, run.format);
        }
    }

    @Property
    void snapshotLinesParseBackToTheRowsLogged(@ForAll("runs") Run run) throws Exception {
        List<String> lines = ResultLines.snapshot(run.item, run.format, run.added);
        List<JsonNode> got = writtenAndReadBack(lines);
        if (run.format.snapshotEventFormat()) {
            assertThat(got).hasSize(run.added.size());
            for (int i = 0; i < got.size(); i++) {
                assertCommon(got.get(i), run);
                assertRow(got.get(i).get("columns"), run.added.get(i), run.format);
                assertThat(got.get(i).get("action").asText()).isEqualTo("snapshot");
            }
        } else {
            assertThat(got).hasSize(1);
            assertCommon(got.get(0), run);
            assertRows(got.get(0).get("snapshot"), run.added, run.format);
        }
    }

    // ---- regressions ---------------------------------------------------------------------------

    /**
     * Found by differentialLinesParseBackToTheRowsLogged: an unpaired surrogate went into the line as is, and the
     * file's UTF-8 encoder wrote it as '?', while the same text as bytes reads U+FFFD.
     */
    @Example
    void anUnpairedSurrogateIsLoggedAsTheReplacementCharacter() throws Exception {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("a\ud800", "x\udc00y\ud83d\ude00z\ud83d");
        row.put("b", new byte[] {'x', (byte) 0xed, (byte) 0xa0, (byte) 0x80, 'y'});
        QueryLogItem item = new QueryLogItem("q\udfff", "h", 0, 0, 0, Map.of("d\ud800", "\udbff"));
        List<JsonNode> got = writtenAndReadBack(ResultLines.differential(item, LogFormat.DEFAULT, List.of(row), List.of()));
        JsonNode columns = got.get(0).get("columns");
        assertThat(columns.get("a\ufffd").asText()).isEqualTo("x\ufffdy\ud83d\ude00z\ufffd");
        assertThat(columns.get("b").asText()).isEqualTo("x\ufffdy"); // Java's decoder: one U+FFFD for the encoded surrogate
        assertThat(got.get(0).get("name").asText()).isEqualTo("q\ufffd");
        assertThat(got.get(0).get("decorations").get("d\ufffd").asText()).isEqualTo("\ufffd");
    }

    // ---- checks --------------------------------------------------------------------------------

    /** Written by the filesystem logger, read back as strict UTF-8, one JSON document per line. */
    private static List<JsonNode> writtenAndReadBack(List<String> lines) throws Exception {
        Path loggerDir = Files.createTempDirectory(dir, "run");
        FilesystemLogger logger = new FilesystemLogger(loggerDir, "0600", 0, 1);
        try {
            logger.logResults(lines);
        } finally {
            logger.close();
        }
        Path file = loggerDir.resolve(FilesystemLogger.RESULTS);
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        byte[] bytes = Files.readAllBytes(file);
        Files.delete(file);
        Files.delete(loggerDir);
        // strict: a malformed byte sequence in the file fails here
        String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        assertThat(text).endsWith("\n");
        String[] split = text.substring(0, text.length() - 1).split("\n", -1);
        assertThat(split).as("one line per result line").hasSize(lines.size());
        for (String l : split) out.add(STRICT.readTree(l.getBytes(StandardCharsets.UTF_8)));
        return out;
    }

    private static void assertCommon(JsonNode line, Run run) {
        QueryLogItem item = run.item;
        assertThat(line.get("name").asText()).isEqualTo(text(item.name()));
        assertThat(line.get("hostIdentifier").asText()).isEqualTo(text(item.hostIdentifier()));
        assertThat(line.get("calendarTime").asText()).isEqualTo(ResultLines.calendarTime(item.unixTime()));
        assertThat(line.get("unixTime").asLong()).isEqualTo(item.unixTime());
        assertThat(line.get("epoch").asLong()).isEqualTo(item.epoch());
        assertThat(line.get("counter").asLong()).isEqualTo(item.counter());
        assertThat(line.get("numerics").asBoolean()).isEqualTo(run.format.numerics());
        if (item.decorations().isEmpty()) return;
        JsonNode holder = run.format.decorationsTopLevel() ? line : line.get("decorations");
        for (Map.Entry<String, String> d : item.decorations().entrySet()) {
            assertThat(holder.get(text(d.getKey()))).as("decoration %s", d.getKey()).isNotNull();
            assertThat(holder.get(text(d.getKey())).asText()).isEqualTo(text(d.getValue()));
        }
    }

    private static void assertRows(JsonNode array, List<Map<String, Object>> rows, LogFormat format) {
        assertThat(array.isArray()).isTrue();
        assertThat(array.size()).isEqualTo(rows.size());
        for (int i = 0; i < rows.size(); i++) assertRow(array.get(i), rows.get(i), format);
    }

    private static void assertRow(JsonNode columns, Map<String, Object> row, LogFormat format) {
        Map<String, Object> expected = new LinkedHashMap<>();
        for (Map.Entry<String, Object> c : row.entrySet()) expected.put(text(c.getKey()), c.getValue());
        List<String> names = new ArrayList<>();
        columns.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyElementsOf(expected.keySet());
        for (Map.Entry<String, Object> c : expected.entrySet()) {
            JsonNode v = columns.get(c.getKey());
            Object o = c.getValue();
            if (format.numerics() && (o instanceof Long || o instanceof Integer)) {
                assertThat(v.isIntegralNumber()).isTrue();
                assertThat(v.asLong()).isEqualTo(((Number) o).longValue());
            } else if (format.numerics() && o instanceof Double d && !d.isNaN() && !d.isInfinite()) {
                assertThat(v.isNumber()).isTrue();
                assertThat(Double.compare(v.asDouble(), d)).as("%s logged as %s", d, v).isZero();
            } else {
                assertThat(v.isTextual()).as("column %s is a string", c.getKey()).isTrue();
                assertThat(v.asText()).isEqualTo(expectedText(o));
            }
        }
    }

    /** What a column value reads as in the line, without numerics. */
    private static String expectedText(Object o) {
        if (o == null) return "";
        if (o instanceof Double d) return QueryResult.formatDouble(d);
        if (o instanceof byte[] b) return new String(b, StandardCharsets.UTF_8);
        return text(o.toString());
    }

    /** The text with each unpaired surrogate replaced by U+FFFD. */
    static String text(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            sb.appendCodePoint(Character.isSurrogate((char) cp) && cp < 0x10000 ? 0xfffd : cp);
            i += Character.charCount(cp);
        }
        return sb.toString();
    }

    // ---- generators ----------------------------------------------------------------------------

    @Provide
    Arbitrary<Run> runs() {
        Arbitrary<LogFormat> formats = Combinators.combine(bool(), bool(), bool(), bool()).as(LogFormat::new);
        Arbitrary<List<Map<String, Object>>> rows = row().list().ofMaxSize(4);
        return Combinators.combine(item(), formats, rows, rows).as(Run::new).filter(r -> !r.format.decorationsTopLevel()
                || r.item.decorations().keySet().stream().map(ResultLinesFuzzTest::text).noneMatch(LINE_KEYS::contains));
    }

    private static Arbitrary<QueryLogItem> item() {
        Arbitrary<Map<String, String>> decorations = Combinators.combine(strings(), strings()).as(Column::new).list().ofMaxSize(3)
                .map(ResultLinesFuzzTest::map);
        // unixTime as a clock gives it (up to year 9999); epoch and counter anything
        return Combinators.combine(strings(), strings(), Arbitraries.longs().between(0, 253402300799L), Arbitraries.longs(),
                Arbitraries.longs(), decorations).as(QueryLogItem::new);
    }

    private static Arbitrary<Map<String, Object>> row() {
        return Combinators.combine(strings(), value()).as(Column::new).list().ofMaxSize(5).map(ResultLinesFuzzTest::map);
    }

    record Column<T>(String name, T value) {}

    /** In order; a name equal to an earlier one once unpaired surrogates read U+FFFD is left out. */
    private static <T> Map<String, T> map(List<Column<T>> columns) {
        Map<String, T> out = new LinkedHashMap<>();
        Set<String> seen = new java.util.HashSet<>();
        for (Column<T> c : columns) if (seen.add(text(c.name))) out.put(c.name, c.value);
        return out;
    }

    private static Arbitrary<Object> value() {
        Arbitrary<Object> doubles = Arbitraries.oneOf(Arbitraries.doubles(),
                Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, 1e15,
                        1e-5));
        Arbitrary<Object> ordinary = Arbitraries.oneOf(strings().map(Object.class::cast), bytes().map(Object.class::cast),
                Arbitraries.longs().map(Object.class::cast), Arbitraries.integers().map(Object.class::cast), doubles, Arbitraries.just(null));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(1000, ordinary), net.jqwik.api.Tuple.of(1, huge()));
    }

    /** Any UTF-16: control characters, unpaired surrogates, pairs, U+2028, quotes and backslashes. */
    static Arbitrary<String> strings() {
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(20),
                Arbitraries.strings().all().ofMaxLength(20),
                Arbitraries.strings().withChars("\"\\/\n\r\t\u0000\u001f\u007f\u2028\u2029\ufeff\ufffd\ud800\udbff\udc00\udfffé€😀")
                        .ofMaxLength(12));
    }

    /** Bytes: random, valid UTF-8 cut anywhere, overlong and surrogate encodings. */
    static Arbitrary<byte[]> bytes() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(32);
        Arbitrary<byte[]> cutUtf8 = Combinators.combine(strings(), Arbitraries.integers().between(0, 200)).as((s, cut) -> {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return java.util.Arrays.copyOf(b, Math.min(b.length, cut));
        });
        Arbitrary<byte[]> special = Arbitraries.of(new byte[] {(byte) 0xc0, (byte) 0x80}, new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
                new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, new byte[] {(byte) 0xff}, new byte[] {(byte) 0xe2, (byte) 0x82},
                new byte[] {0});
        return Arbitraries.oneOf(random, cutUtf8, special);
    }

    /** Now and then a value of up to a quarter of a million characters (a file's content, a long command line). */
    private static Arbitrary<Object> huge() {
        return Arbitraries.<Object>randomValue(r -> {
            char[] c = new char[50_000 + r.nextInt(200_000)];
            for (int i = 0; i < c.length; i++) c[i] = (char) (r.nextInt(8) == 0 ? r.nextInt(0x10000) : 'a' + r.nextInt(26));
            return r.nextBoolean() ? (Object) new String(c) : new String(c).getBytes(StandardCharsets.UTF_8);
        });
    }

    private static Arbitrary<Boolean> bool() {
        return Arbitraries.of(true, false);
    }
}
