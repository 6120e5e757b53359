package io.hostql.loggers;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultLinesTest {
    static final ObjectMapper M = new ObjectMapper();
    /** 2014-09-30 17:37:30 UTC, the time of osquery's documented example. */
    static final long T = 1412098650L;

    static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    static List<String> keys(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    static JsonNode json(String s) throws Exception {
        return M.readTree(s);
    }

    final QueryLogItem item = new QueryLogItem("processes", "host-a", T, 0, 1, Map.of("host_uuid", "ABC"));

    @Test
    void eventFormatIsOneLinePerRowRemovedFirstWithOsquerysKeysAndTypes() throws Exception {
        List<String> lines = ResultLines.differential(item, LogFormat.DEFAULT,
                List.of(row("name", "osqueryd", "pid", 97830L)), List.of(row("name", "osqueryd", "pid", 97650L)));
        assertThat(lines).hasSize(2);
        JsonNode removed = json(lines.get(0)), added = json(lines.get(1));
        assertThat(keys(added)).containsExactly("name", "hostIdentifier", "calendarTime", "unixTime", "epoch", "counter",
                "numerics", "decorations", "columns", "action");
        assertThat(removed.get("action").asText()).isEqualTo("removed");
        assertThat(added.get("action").asText()).isEqualTo("added");
        assertThat(added.get("name").isTextual()).isTrue();
        assertThat(added.get("hostIdentifier").asText()).isEqualTo("host-a");
        assertThat(added.get("calendarTime").asText()).isEqualTo("Tue Sep 30 17:37:30 2014 UTC");
        assertThat(added.get("unixTime").isIntegralNumber()).isTrue();
        assertThat(added.get("unixTime").asLong()).isEqualTo(T);
        assertThat(added.get("epoch").isIntegralNumber()).isTrue();
        assertThat(added.get("counter").asLong()).isEqualTo(1);
        assertThat(added.get("numerics").isBoolean()).isTrue();
        assertThat(added.get("numerics").asBoolean()).isFalse();
        assertThat(added.get("decorations").get("host_uuid").asText()).isEqualTo("ABC");
        // Without logger_numerics every column value is a string, as osquery's rows are.
        assertThat(added.get("columns").get("pid").isTextual()).isTrue();
        assertThat(added.get("columns").get("pid").asText()).isEqualTo("97830");
        assertThat(removed.get("columns").get("pid").asText()).isEqualTo("97650");
    }

    @Test
    void batchFormatCarriesBothArraysRemovedFirstThenTheCommonFields() throws Exception {
        LogFormat batch = new LogFormat(false, false, false, false);
        List<String> lines = ResultLines.differential(item, batch, List.of(row("name", "a")), List.of());
        assertThat(lines).hasSize(1);
        JsonNode n = json(lines.get(0));
        assertThat(keys(n)).containsExactly("diffResults", "name", "hostIdentifier", "calendarTime", "unixTime", "epoch",
                "counter", "numerics", "decorations");
        assertThat(keys(n.get("diffResults"))).containsExactly("removed", "added");
        assertThat(n.get("diffResults").get("removed")).isEmpty();
        assertThat(n.get("diffResults").get("added").get(0).get("name").asText()).isEqualTo("a");
    }

    @Test
    void nothingChangedLogsNothing() {
        assertThat(ResultLines.differential(item, LogFormat.DEFAULT, List.of(), List.of())).isEmpty();
        assertThat(ResultLines.differential(item, new LogFormat(false, false, false, false), List.of(), List.of())).isEmpty();
    }

    @Test
    void snapshotIsOneLineWithEveryRowOrOneLinePerRowInSnapshotEventFormat() throws Exception {
        List<Map<String, Object>> rows = List.of(row("n", 1L), row("n", 2L));
        List<String> one = ResultLines.snapshot(item, LogFormat.DEFAULT, rows);
        assertThat(one).hasSize(1);
        JsonNode n = json(one.get(0));
        assertThat(keys(n)).containsExactly("snapshot", "action", "name", "hostIdentifier", "calendarTime", "unixTime",
                "epoch", "counter", "numerics", "decorations");
        assertThat(n.get("action").asText()).isEqualTo("snapshot");
        assertThat(n.get("snapshot")).hasSize(2);
        assertThat(n.get("snapshot").get(1).get("n").asText()).isEqualTo("2");

        List<String> each = ResultLines.snapshot(item, new LogFormat(false, false, true, true), rows);
        assertThat(each).hasSize(2);
        assertThat(json(each.get(1)).get("columns").get("n").asText()).isEqualTo("2");
        assertThat(json(each.get(1)).get("action").asText()).isEqualTo("snapshot");
    }

    @Test
    void numericsMakesIntegersAndRealsJsonNumbersAndLeavesTextAlone() throws Exception {
        LogFormat numerics = new LogFormat(true, false, true, false);
        JsonNode n = json(ResultLines.differential(item, numerics,
                List.of(row("pid", 7L, "load", 0.5, "name", "x", "none", null)), List.of()).get(0));
        assertThat(n.get("numerics").asBoolean()).isTrue();
        assertThat(n.get("columns").get("pid").isIntegralNumber()).isTrue();
        assertThat(n.get("columns").get("load").isDouble()).isTrue();
        assertThat(n.get("columns").get("name").isTextual()).isTrue();
        assertThat(n.get("columns").get("none").asText()).isEmpty();
        // Without numerics a REAL reads as SQLite prints it.
        JsonNode s = json(ResultLines.differential(item, LogFormat.DEFAULT, List.of(row("load", 1.0)), List.of()).get(0));
        assertThat(s.get("columns").get("load").asText()).isEqualTo("1.0");
    }

    @Test
    void decorationsTopLevelMergesThemIntoTheLineAndDropsTheObject() throws Exception {
        LogFormat top = new LogFormat(false, true, true, false);
        JsonNode n = json(ResultLines.differential(item, top, List.of(row("a", "b")), List.of()).get(0));
        assertThat(n.has("decorations")).isFalse();
        assertThat(n.get("host_uuid").asText()).isEqualTo("ABC");
        // No decorations at all: no key.
        QueryLogItem plain = new QueryLogItem("q", "h", T, 0, 0, Map.of());
        assertThat(json(ResultLines.differential(plain, LogFormat.DEFAULT, List.of(row("a", "b")), List.of()).get(0))
                .has("decorations")).isFalse();
    }

    @Test
    void calendarTimePadsTheDayWithASpaceAsAsctime() {
        assertThat(ResultLines.calendarTime(1462228052L)).isEqualTo("Mon May  2 22:27:32 2016 UTC");
    }
}
