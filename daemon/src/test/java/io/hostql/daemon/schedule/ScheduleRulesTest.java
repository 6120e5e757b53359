package io.hostql.daemon.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.evented.EventStore;
import io.hostql.evented.EventedTables;
import io.hostql.evented.Row;
import io.hostql.sql.table.TableRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScheduleRulesTest {
    @Test
    void watchdogLevelsAreOsquerys() {
        int threads = Runtime.getRuntime().availableProcessors();
        Watchdog.Limits normal = Watchdog.Limits.of(0, 0, 0, 0);
        assertThat(normal.memoryBytes()).isEqualTo(200L << 20);
        assertThat(normal.cpuFractionOfOneCore()).isEqualTo(0.10 * threads);
        assertThat(normal.latencyMillis()).isEqualTo(12_000);
        Watchdog.Limits restrictive = Watchdog.Limits.of(1, 0, 0, 0);
        assertThat(restrictive.memoryBytes()).isEqualTo(100L << 20);
        assertThat(restrictive.latencyMillis()).isEqualTo(6_000);
        assertThat(Watchdog.Limits.of(-1, 0, 0, 0).enabled()).isFalse();
        assertThat(Watchdog.Limits.of(0, 50, 20, 3).memoryBytes()).isEqualTo(50L << 20);
    }

    @Test
    void platformVersionAndShardFollowOsquery() throws Exception {
        assertThat(Applicability.platform("")).isTrue();
        assertThat(Applicability.platform("linux")).isTrue();
        assertThat(Applicability.platform("posix")).isTrue();
        assertThat(Applicability.platform("darwin")).isFalse();
        assertThat(Applicability.platform("windows")).isFalse();
        assertThat(Applicability.version("1.4.5")).isTrue();
        assertThat(Applicability.version("5.23.0")).isTrue();
        assertThat(Applicability.version("99.0")).isFalse();
        // Witness: sha1sum's first byte, scaled as osquery's getMachineShard.
        Process p = new ProcessBuilder("sh", "-c", "printf %s web-01 | sha1sum").start();
        int firstByte = Integer.parseInt(new String(p.getInputStream().readAllBytes()).substring(0, 2), 16);
        assertThat(Applicability.machineShard("web-01")).isEqualTo(firstByte * 100 / 255);
        int shard = Applicability.machineShard("web-01");
        assertThat(Applicability.shard(shard, "web-01")).isTrue();
        if (shard > 1) assertThat(Applicability.shard(shard - 1, "web-01")).isFalse();
        assertThat(Applicability.shard(0, "web-01")).isTrue();
    }

    @Test
    void theEnginesPlanTellsEventQueriesThatBoundTimeFromThoseItWindows() {
        try (QueryEngine e = QueryEngine.raw(new TableRegistry(), EventedTables.all())) {
            assertThat(e.plan("SELECT * FROM file_events").windowed()).isTrue();
            assertThat(e.plan("SELECT * FROM file_events").eventedTables()).containsExactly("file_events");
            QueryEngine.Plan bounded = e.plan("SELECT * FROM file_events WHERE time > hostql_last_run() - 300");
            assertThat(bounded.boundsTime()).isTrue();
            assertThat(bounded.windowed()).isFalse();
            assertThat(e.plan("SELECT 1").eventedTables()).isEmpty();
        }
    }

    /** osquery's syslog alias reads syslog_events: planned as that table, and windowed with it in a scheduled run. */
    @Test
    void anAliasOfAnEventedTableIsPlannedAndWindowedAsItsTable(@TempDir Path data) {
        try (QueryEngine e = QueryEngine.raw(new TableRegistry(), EventedTables.all())) {
            assertThat(e.plan("SELECT * FROM syslog").eventedTables()).containsExactly("syslog_events");
            assertThat(e.plan("SELECT * FROM syslog").windowed()).isTrue();
        }
        Path db = data.resolve("events.db");
        Row.Layout syslog = Row.layout(EventedTables.SYSLOG_EVENTS);
        try (EventStore store = EventStore.open(db, EventedTables.all())) {
            store.commit("syslog_events", new EventStore.Position(1, 1, 2), b -> {
                for (int i = 1; i <= 2; i++) {
                    Row row = syslog.row().set(syslog.text("message"), "line " + i).set(syslog.integer("time"), 1700000000L + i);
                    row.eid(String.format("%010d", i));
                    b.insert(row);
                }
            });
        }
        try (QueryEngine e = QueryEngine.windowed(new TableRegistry(), db, EventedTables.all(), Map.of())) {
            QueryEngine.Window second = new QueryEngine.Window(Map.of("syslog_events", "0000000001"), Map.of("syslog_events", "0000000002"), 0, 0);
            assertThat(e.run("SELECT message FROM syslog", second).rows()).extracting(r -> r[0]).containsExactly("line 2");
            assertThat(e.run("SELECT message FROM syslog", QueryEngine.Window.ALL).rows()).hasSize(2);
        }
    }

    @Test
    void theDifferentialCountsDuplicateRows() {
        Map<String, Object> a = Map.of("x", 1L), b = Map.of("x", 2L);
        String ca = Differential.canonical(a), cb = Differential.canonical(b);
        Differential.Diff d = Differential.diff(List.of(ca, ca, cb), List.of(a, b, b), List.of(ca, cb, cb));
        assertThat(d.added()).containsExactly(b);
        assertThat(d.removed()).hasSize(1);
        assertThat(d.removed().get(0)).containsEntry("x", 1);
    }
}
