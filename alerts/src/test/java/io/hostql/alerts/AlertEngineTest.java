package io.hostql.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hostql.events.Clock;
import io.hostql.events.FileEvent;
import io.hostql.events.Journal;
import io.hostql.evented.EventStore;
import io.hostql.evented.EventedTables;
import io.hostql.evented.Row;
import io.hostql.loggers.LogFormat;
import io.hostql.loggers.ResultLogger;
import io.hostql.subscribers.fim.FimSubscriber;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertEngineTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** A real logger's contract, kept in memory: the lines it was handed. */
    static final class Collected implements ResultLogger {
        final List<String> results = new CopyOnWriteArrayList<>();

        public void logResults(List<String> lines) {
            results.addAll(lines);
        }

        public void logSnapshots(List<String> lines) {
            throw new AssertionError("alerts never log snapshots");
        }

        public void close() {}
    }

    static List<AlertRule> rules(String json) throws Exception {
        return AlertRules.parse(JSON.readTree(json), EventedTables.all());
    }

    static final Row.Layout FILE = Row.layout(EventedTables.FILE_EVENTS);

    /** A row as the file_events subscriber hands it to the alert engine: the values in column order. */
    static Object[] fileRow(String path, String action) {
        Row row = FILE.row().set(FILE.text("target_path"), path.getBytes(StandardCharsets.UTF_8)).set(FILE.text("category"), "etc")
                .set(FILE.text("action"), action).set(FILE.integer("transaction_id"), 0).set(FILE.integer("inode"), 1)
                .set(FILE.integer("uid"), 0).set(FILE.integer("gid"), 0).set(FILE.text("mode"), "0644").set(FILE.integer("size"), 3)
                .set(FILE.integer("atime"), 1).set(FILE.integer("mtime"), 1).set(FILE.integer("ctime"), 1).set(FILE.integer("hashed"), 0)
                .set(FILE.integer("time"), 1_700_000_000L);
        row.eid("0000000001");
        return row.values();
    }

    @Test
    void matchingRowsBecomeOsqueryEventLinesNamedAfterTheRule() throws Exception {
        Collected out = new Collected();
        try (AlertEngine engine = new AlertEngine(rules("""
                {"passwd_changed": {"table": "file_events", "where": "target_path = '/etc/passwd' AND action IN ('UPDATED', 'CREATED')"},
                 "any_delete": {"table": "file_events", "where": "action = 'DELETED'"}}"""),
                EventedTables.all(), out, () -> "host-a", LogFormat.DEFAULT)) {
            engine.committed(EventedTables.FILE_EVENTS, List.<Object[]>of(fileRow("/etc/passwd", "UPDATED"), fileRow("/etc/group", "UPDATED"),
                    fileRow("/etc/shadow", "DELETED"), fileRow("/etc/passwd", "ATTRIBUTES_MODIFIED")));
            assertThat(out.results).hasSize(2);
            JsonNode first = JSON.readTree(out.results.get(0));
            assertThat(first.get("name").asText()).isEqualTo("passwd_changed");
            assertThat(first.get("hostIdentifier").asText()).isEqualTo("host-a");
            assertThat(first.get("action").asText()).isEqualTo("added");
            assertThat(first.get("columns").get("target_path").asText()).isEqualTo("/etc/passwd");
            assertThat(first.get("columns").get("size").asText()).isEqualTo("3");
            assertThat(first.has("calendarTime")).isTrue();
            assertThat(JSON.readTree(out.results.get(1)).get("columns").get("target_path").asText()).isEqualTo("/etc/shadow");
            // The next batch starts from an empty table: nothing matches twice.
            engine.committed(EventedTables.FILE_EVENTS, List.<Object[]>of(fileRow("/etc/hosts", "UPDATED")));
            assertThat(out.results).hasSize(2);
            assertThat(engine.matches()).containsEntry("passwd_changed", 1L).containsEntry("any_delete", 1L);
        }
    }

    @Test
    void badRulesAreRefusedWithTheRuleNameAndSqlitesMessage() {
        assertThatThrownBy(() -> new AlertEngine(rules("{\"r1\": {\"table\": \"file_events\", \"where\": \"action = = 'x'\"}}"),
                EventedTables.all(), new Collected(), () -> "h", LogFormat.DEFAULT))
                .isInstanceOf(AlertConfigException.class).hasMessageStartingWith("alerts.r1.where: ").hasMessageContaining("syntax error");
        assertThatThrownBy(() -> new AlertEngine(rules("{\"r2\": {\"table\": \"file_events\", \"where\": \"no_such_column = 1\"}}"),
                EventedTables.all(), new Collected(), () -> "h", LogFormat.DEFAULT))
                .hasMessageStartingWith("alerts.r2.where: ").hasMessageContaining("no such column: no_such_column");
        assertThatThrownBy(() -> new AlertEngine(rules("{\"r3\": {\"table\": \"file_events\", \"where\": \"1); DELETE FROM file_events; SELECT (1\"}}"),
                EventedTables.all(), new Collected(), () -> "h", LogFormat.DEFAULT)).hasMessageStartingWith("alerts.r3.where: ");
        assertThatThrownBy(() -> rules("{\"r4\": {\"table\": \"nope_events\", \"where\": \"1\"}}"))
                .hasMessageStartingWith("alerts.r4.table: 'nope_events' is not an evented table");
        assertThatThrownBy(() -> rules("{\"r5\": {\"table\": \"file_events\"}}")).hasMessageStartingWith("alerts.r5.where:");
        assertThatThrownBy(() -> rules("{\"r6\": {\"table\": \"file_events\", \"where\": \"1\", \"wher\": 2}}")).hasMessageContaining("unknown key 'wher'");
    }

    @Test
    void aRealSubscriberAlertsAsItCommits(@TempDir Path dir) throws Exception {
        Collected out = new Collected();
        Path watched = Files.writeString(dir.resolve("authorized_keys"), "ssh-ed25519 AAAA");
        try (Journal j = Journal.open(dir.resolve("journal"));
                EventStore s = EventStore.open(dir.resolve("events.db"), EventedTables.all());
                FimSubscriber fim = new FimSubscriber(j, s, 1 << 20);
                AlertEngine engine = new AlertEngine(rules("{\"ssh_keys\": {\"table\": \"file_events\", \"where\": \"target_path LIKE '%/authorized_keys'\"}}"),
                        EventedTables.all(), out, () -> "h", LogFormat.DEFAULT)) {
            fim.addListener(engine);
            fim.start();
            long t0 = System.nanoTime();
            j.append(new FileEvent(Clock.nowNanos(), FileEvent.IN_CLOSE_WRITE, 0, watched.toString().getBytes(StandardCharsets.UTF_8), "ssh", 0));
            j.append(new FileEvent(Clock.nowNanos(), FileEvent.IN_CLOSE_WRITE, 0, "/tmp/other".getBytes(StandardCharsets.UTF_8), "ssh", 0));
            while (out.results.isEmpty() && System.nanoTime() - t0 < 5_000_000_000L) Thread.sleep(5);
            assertThat(out.results).hasSize(1);
            assertThat((System.nanoTime() - t0) / 1_000_000).as("ms from journal to alert").isLessThan(1000);
            assertThat(JSON.readTree(out.results.get(0)).get("columns").get("sha256").asText()).hasSize(64);
        }
    }
}
