package io.hostql.daemon;

import static io.hostql.daemon.DaemonProcess.query;
import static io.hostql.daemon.DaemonProcess.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hostql.loggers.FilesystemLogger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scheduler in a real hostqld: result lines, packs, denylisting, event windows and the watchdog. */
class SchedulerEndToEndTest {
    static final ObjectMapper M = new ObjectMapper();

    @TempDir
    Path tmp;

    static List<JsonNode> lines(Path file) {
        List<JsonNode> out = new ArrayList<>();
        try {
            if (!Files.exists(file)) return out;
            for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) if (!l.isBlank()) out.add(M.readTree(l));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return out;
    }

    static List<JsonNode> results(DaemonProcess d, String name) {
        return lines(d.logs.resolve(FilesystemLogger.RESULTS)).stream().filter(n -> n.get("name").asText().equals(name)).toList();
    }

    static List<JsonNode> snapshots(DaemonProcess d, String name) {
        return lines(d.logs.resolve(FilesystemLogger.SNAPSHOTS)).stream().filter(n -> n.get("name").asText().equals(name)).toList();
    }

    static String hostname() throws Exception {
        Process p = new ProcessBuilder("hostname").start();
        return new String(p.getInputStream().readAllBytes()).strip();
    }

    static String json(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Test
    void twoQueriesAtOneSecondLogExactlyTheFilesAddedAndRemoved() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("watched"));
        Files.writeString(dir.resolve("a"), "aa");
        Files.writeString(dir.resolve("b"), "bbb");
        Path conf = Files.writeString(tmp.resolve("hostql.conf"), """
                {"schedule": {
                   "files": {"query": "SELECT path, size FROM file WHERE directory = '%s'", "interval": 1},
                   "file_count": {"query": "SELECT count(*) AS n FROM file WHERE directory = '%s'", "interval": 1}
                 },
                 "decorators": {"load": ["SELECT 'lab' AS site"]}}
                """.formatted(json(dir.toString()), json(dir.toString())));
        try (DaemonProcess d = DaemonProcess.start(conf, tmp.resolve("data"))) {
            waitFor(() -> results(d, "files").size() >= 2 && results(d, "file_count").size() >= 1, 30, "the first runs");
            List<JsonNode> first = results(d, "files");
            assertThat(first).hasSize(2).allMatch(n -> n.get("counter").asLong() == 0 && n.get("action").asText().equals("added"));
            assertThat(first.stream().map(n -> n.get("columns").get("path").asText()).toList())
                    .containsExactlyInAnyOrder(dir.resolve("a").toString(), dir.resolve("b").toString());

            // Every key and type as osquery's reference says.
            JsonNode line = first.get(0);
            assertThat(fieldNames(line)).containsExactly("name", "hostIdentifier", "calendarTime", "unixTime", "epoch", "counter",
                    "numerics", "decorations", "columns", "action");
            assertThat(line.get("hostIdentifier").asText()).isEqualTo(hostname());
            assertThat(line.get("calendarTime").asText()).matches("[A-Z][a-z]{2} [A-Z][a-z]{2} [ 123]\\d \\d{2}:\\d{2}:\\d{2} \\d{4} UTC");
            assertThat(line.get("unixTime").isIntegralNumber()).isTrue();
            assertThat(Math.abs(line.get("unixTime").asLong() - System.currentTimeMillis() / 1000)).isLessThan(60);
            assertThat(line.get("epoch").isIntegralNumber()).isTrue();
            assertThat(line.get("counter").isIntegralNumber()).isTrue();
            assertThat(line.get("numerics").isBoolean()).isTrue();
            assertThat(line.get("decorations").get("site").asText()).isEqualTo("lab");
            assertThat(line.get("columns").get("size").isTextual()).isTrue();
            assertThat(results(d, "file_count").get(0).get("columns").get("n").asText()).isEqualTo("2");

            Thread.sleep(2500); // runs without changes log nothing
            assertThat(results(d, "files")).hasSize(2);

            Files.writeString(dir.resolve("c"), "c");
            Files.writeString(dir.resolve("d"), "dddd");
            Files.delete(dir.resolve("a"));
            waitFor(() -> results(d, "files").size() >= 5 && lastCount(d).equals("3"), 30, "the changes to be logged");
            Thread.sleep(2500);
            List<JsonNode> later = results(d, "files").subList(2, results(d, "files").size());
            assertThat(later).hasSize(3).allMatch(n -> n.get("counter").asLong() >= 1);
            Map<String, List<String>> byAction = later.stream().collect(Collectors.groupingBy(n -> n.get("action").asText(),
                    Collectors.mapping(n -> n.get("columns").get("path").asText() + ":" + n.get("columns").get("size").asText(), Collectors.toList())));
            assertThat(byAction.get("removed")).containsExactly(dir.resolve("a") + ":2");
            assertThat(byAction.get("added")).containsExactlyInAnyOrder(dir.resolve("c") + ":1", dir.resolve("d") + ":4");
            // file_count: each change is one removed (old n) and one added (new n) line with the same counter.
            List<JsonNode> counts = results(d, "file_count");
            for (int i = 1; i < counts.size(); i += 2) {
                assertThat(counts.get(i).get("action").asText()).isEqualTo("removed");
                assertThat(counts.get(i + 1).get("action").asText()).isEqualTo("added");
                assertThat(counts.get(i).get("counter").asLong()).isEqualTo(counts.get(i + 1).get("counter").asLong()).isEqualTo((i + 1) / 2);
            }
            assertThat(d.stop()).isZero();
        }
        // The previous results are persisted: a restart with nothing changed logs nothing new for "files".
        try (DaemonProcess d = DaemonProcess.start(conf, tmp.resolve("data"))) {
            int before = results(d, "files").size();
            Thread.sleep(3000);
            assertThat(results(d, "files")).hasSize(before);
            Files.writeString(dir.resolve("e"), "e");
            waitFor(() -> results(d, "files").size() == before + 1, 30, "the new file after a restart");
            JsonNode e = results(d, "files").get(before);
            assertThat(e.get("action").asText()).isEqualTo("added");
            assertThat(e.get("counter").asLong()).isGreaterThan(1);
        }
    }

    static String lastCount(DaemonProcess d) {
        List<JsonNode> c = results(d, "file_count");
        return c.isEmpty() ? "" : c.get(c.size() - 1).get("columns").get("n").asText();
    }

    static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void aPackWithAFailingDiscoveryDoesNotRunAndADenylistedQueryIsVisible() throws Exception {
        Path conf = Files.writeString(tmp.resolve("hostql.conf"), """
                {"schedule": {
                   "broken": {"query": "SELECT json_extract('not json', '$') AS x", "interval": 1},
                   "schedule_view": {"query": "SELECT name, denylisted, executions FROM osquery_schedule", "interval": 1, "snapshot": true},
                   "packs_view": {"query": "SELECT name, active, discovery_executions FROM osquery_packs", "interval": 1, "snapshot": true}
                 },
                 "packs": {
                   "gated": {"discovery": ["SELECT 1 FROM processes WHERE name = 'no-such-process-hostql'"],
                             "queries": {"never": {"query": "SELECT 1 AS one", "interval": 1}}},
                   "open": {"discovery": ["SELECT 1 FROM processes WHERE pid = 1"],
                            "queries": {"always": {"query": "SELECT 2 AS two", "interval": 1}}}
                 }}
                """);
        try (DaemonProcess d = DaemonProcess.start(conf, tmp.resolve("data"), "--schedule_denylist_failures", "2")) {
            waitFor(() -> denylisted(d, "broken"), 30, "broken to be denylisted in osquery_schedule");
            // A shell on the daemon's data dir sees the same state (the daemon's state file, rewritten every few seconds).
            waitFor(() -> io.hostql.tables.self.DaemonStateFile.reader(d.data).schedule().stream()
                    .anyMatch(q -> q.name().equals("broken") && q.denylisted()), 15, "a shell to see broken denylisted");
            assertThat(io.hostql.tables.self.DaemonStateFile.reader(d.data).packs()).anySatisfy(p -> assertThat(p.name()).isEqualTo("gated"));
            assertThat(results(d, "pack_open_always")).hasSize(1);
            assertThat(results(d, "pack_gated_never")).isEmpty();
            JsonNode packs = snapshots(d, "packs_view").get(snapshots(d, "packs_view").size() - 1).get("snapshot");
            Map<String, String> active = new HashMap<>();
            for (JsonNode p : packs) active.put(p.get("name").asText(), p.get("active").asText());
            assertThat(active).containsEntry("gated", "0").containsEntry("open", "1").containsEntry("main", "1");
            assertThat(d.output()).contains("pack gated is not active: its discovery query returned no row")
                    .contains("scheduled query broken is denylisted");
            // Denylisted: it no longer runs.
            long runs = executions(d, "broken");
            Thread.sleep(2500);
            assertThat(executions(d, "broken")).isEqualTo(runs);
        }
        assertThat(tmp.resolve("data").resolve(io.hostql.tables.self.DaemonStateFile.NAME)).as("removed at stop").doesNotExist();
    }

    static JsonNode scheduleRow(DaemonProcess d, String name) {
        List<JsonNode> s = snapshots(d, "schedule_view");
        if (s.isEmpty()) return null;
        for (JsonNode r : s.get(s.size() - 1).get("snapshot")) if (r.get("name").asText().equals(name)) return r;
        return null;
    }

    static boolean denylisted(DaemonProcess d, String name) {
        JsonNode r = scheduleRow(d, name);
        return r != null && r.get("denylisted").asText().equals("1");
    }

    static long executions(DaemonProcess d, String name) {
        JsonNode r = scheduleRow(d, name);
        return r == null ? -1 : r.get("executions").asLong();
    }

    @Test
    void anEventQueryAtOneSecondSeesEachFileEventExactlyOnce() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("events"));
        Path conf = Files.writeString(tmp.resolve("hostql.conf"), """
                {"file_paths": {"w": ["%s/%%%%"]},
                 "schedule": {
                   "fe": {"query": "SELECT target_path, action, eid FROM file_events", "interval": 1},
                   "recent": {"query": "SELECT count(*) AS n FROM file_events WHERE time > hostql_last_run() - 300", "interval": 1}
                 }}
                """.formatted(json(dir.toString())));
        try (DaemonProcess d = DaemonProcess.start(conf, tmp.resolve("data"))) {
            for (int i = 0; i < 40; i++) {
                Files.writeString(dir.resolve("f" + i), "x" + i);
                Thread.sleep(75); // spread over several runs
            }
            waitFor(() -> (Long) query(d.data, "SELECT count(*) FROM file_events").rows().get(0)[0] >= 40, 30, "file_events rows");
            Thread.sleep(3000);
            List<String> table = new ArrayList<>();
            for (Object[] r : query(d.data, "SELECT eid FROM file_events ORDER BY eid").rows()) table.add((String) r[0]);
            waitFor(() -> results(d, "fe").size() >= table.size(), 30, "every event in the results");
            List<String> logged = results(d, "fe").stream().map(n -> n.get("columns").get("eid").asText()).sorted().toList();
            assertThat(logged).isEqualTo(table); // each once: no duplicate, none missing
            assertThat(results(d, "fe").stream().map(n -> n.get("counter").asLong()).distinct().count()).isGreaterThan(1);
            assertThat(results(d, "fe")).allMatch(n -> n.get("action").asText().equals("added"));
            // A query that bounds time itself is not windowed: a differential of its count, up to every row.
            List<JsonNode> recent = results(d, "recent");
            assertThat(recent.get(recent.size() - 1).get("columns").get("n").asText()).isEqualTo(Integer.toString(table.size()));
        }
    }

    @Test
    void aMemoryBombIsStoppedByTheWatchdogAndDenylistedAndTheDaemonGoesOn() throws Exception {
        Path conf = Files.writeString(tmp.resolve("hostql.conf"), """
                {"schedule": {
                   "bomb": {"query": "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT length(group_concat(hex(zeroblob(500)))) FROM r", "interval": 2},
                   "spin": {"query": "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT count(*) FROM r", "interval": 2},
                   "schedule_view": {"query": "SELECT name, denylisted, executions FROM osquery_schedule", "interval": 1, "snapshot": true}
                 }}
                """);
        try (DaemonProcess d = DaemonProcess.start(conf, tmp.resolve("data"), "--watchdog_delay", "0", "--watchdog_latency_limit", "3")) {
            waitFor(() -> denylisted(d, "bomb") && denylisted(d, "spin"), 60, "the watchdog to stop and denylist both");
            assertThat(d.output()).contains("scheduled query bomb stopped by the watchdog: Memory limits exceeded")
                    .contains("scheduled query spin stopped by the watchdog: Maximum sustainable CPU utilization limit exceeded");
            assertThat(d.process.isAlive()).isTrue();
            // Back at once: the snapshot query keeps running every second, and the daemon's RSS stays bounded.
            int before = snapshots(d, "schedule_view").size();
            waitFor(() -> snapshots(d, "schedule_view").size() >= before + 2, 10, "the schedule to go on");
            long rssKb = Long.parseLong(Files.readAllLines(Path.of("/proc/" + d.pid() + "/status")).stream()
                    .filter(l -> l.startsWith("VmRSS:")).findFirst().orElseThrow().replaceAll("\\D", ""));
            assertThat(rssKb).isLessThan(600_000);
            assertThat(d.stop()).isZero();
        }
        // Still denylisted after a restart: the denylisting is persisted. (Older snapshots removed: only the new daemon's count.)
        Files.delete(tmp.resolve("data-logs").resolve(FilesystemLogger.SNAPSHOTS));
        try (DaemonProcess d = DaemonProcess.start(conf, tmp.resolve("data"), "--watchdog_delay", "0")) {
            waitFor(() -> scheduleRow(d, "bomb") != null && executions(d, "schedule_view") >= 2, 30, "the schedule after a restart");
            assertThat(denylisted(d, "bomb")).isTrue();
            assertThat(executions(d, "bomb")).isZero();
        }
    }

    @Test
    void aQueryRunningWhenTheDaemonIsKilledIsDenylistedAtTheNextStart() throws Exception {
        Path conf = Files.writeString(tmp.resolve("hostql.conf"), """
                {"schedule": {
                   "spin": {"query": "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT count(*) FROM r", "interval": 1},
                   "schedule_view": {"query": "SELECT name, denylisted, executions FROM osquery_schedule", "interval": 1, "snapshot": true}
                 }}
                """);
        try (DaemonProcess d = DaemonProcess.start(conf, tmp.resolve("data"))) {
            Thread.sleep(3000); // spin is running (the watchdog waits watchdog_delay, 60 s, before it acts)
            d.kill9();
        }
        try (DaemonProcess d = DaemonProcess.start(conf, tmp.resolve("data"), "--status_log_json")) {
            assertThat(d.output()).contains("scheduled query spin was running when hostqld last stopped abnormally; denylisted");
            // --status_log_json: the status log file is one JSON object per line, this message among them.
            List<JsonNode> status = new ArrayList<>();
            for (String l : Files.readAllLines(d.logs.resolve("hostqld.status.log"))) {
                if (l.startsWith("{")) status.add(M.readTree(l)); // the first daemon wrote plain lines
            }
            assertThat(status).anySatisfy(n -> {
                assertThat(n.get("severity").asText()).isEqualTo("ERROR");
                assertThat(n.get("message").asText()).contains("scheduled query spin was running");
            });
            waitFor(() -> executions(d, "schedule_view") >= 2, 30, "the schedule to run past spin");
            assertThat(denylisted(d, "spin")).isTrue();
            assertThat(executions(d, "spin")).isZero();
        }
    }

    static final class Check {
        static DaemonRobustnessTest.Run run(String... args) throws Exception {
            Process p = new ProcessBuilder(DaemonProcess.command("io.hostql.daemon.Hostqld", args)).redirectErrorStream(true).start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            return new DaemonRobustnessTest.Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void configCheckGivesOneLineWithTheLocationPerProblemAndFails() throws Exception {
        String[][] cases = {
                {"{\n \"schedule\": {\n  \"q\": {\"query\": \"SELECT 1\",, \"interval\": 5}\n }\n}", ":3: broken JSON"},
                {"{\n \"schedule\": {\n  \"q\": {\n   \"query\": \"SELECT * FROM no_such_table\",\n   \"interval\": 5}}}", ":4: schedule.q.query: no such table: no_such_table"},
                {"{\n \"schedule\": {\n  \"q\": {\"query\": \"SELECT 1\",\n   \"interval\": 0}}}", ":4: schedule.q.interval: must be between 1 and 604800 seconds, got 0"},
                {"{\n \"schedule\": {\n  \"q\": {\"query\": \"SELECT 1\",\n   \"snapshot\": \"yes\"}}}", ":4: schedule.q.snapshot: must be true or false, got 'yes'"},
                // What the scheduler would refuse at every run, config_check refuses now (the same prepare rule).
                {"{\n \"schedule\": {\n  \"q\": {\n   \"query\": \"select 1; drop table x\",\n   \"interval\": 5}}}",
                        ":4: schedule.q.query: only one SQL statement is allowed here; found more after it: drop table x"},
                {"{\"packs\": {\"p\": {\"queries\": {\n \"w\": {\"query\": \"SELECT 1; SELECT 2\", \"interval\": 5}}}}}",
                        ":2: packs.p.queries.w.query: only one SQL statement is allowed here; found more after it: SELECT 2"},
                {"{\"views\": {\n \"v\": \"SELECT 1; DROP VIEW v\"}}", ":2: views.v: only one SQL statement is allowed here"},
        };
        for (String[] c : cases) {
            Path conf = Files.writeString(tmp.resolve("check.conf"), c[0]);
            DaemonRobustnessTest.Run r = Check.run("--config_check", "--config_path", conf.toString());
            assertThat(r.status()).as(c[0]).isEqualTo(1);
            List<String> out = r.output().lines().filter(l -> !l.isBlank()).toList();
            assertThat(out).as(c[0]).hasSize(1);
            assertThat(out.get(0)).as(c[0]).startsWith(conf + c[1]);
        }
        Path good = Files.writeString(tmp.resolve("good.conf"), """
                {"schedule": {"q": {"query": "SELECT pid FROM processes", "interval": 5}},
                 "views": {"mine": "SELECT pid FROM processes"},
                 "packs": {"p": {"queries": {"v": {"query": "SELECT * FROM mine", "interval": 60}}}}}
                """);
        DaemonRobustnessTest.Run ok = Check.run("--config_check", "--config_path", good.toString());
        assertThat(ok.output()).isEmpty();
        assertThat(ok.status()).isZero();
    }
}
