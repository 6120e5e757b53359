package io.hostql.evented;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hostql.sql.Database;
import io.hostql.sql.QueryResult;
import io.hostql.sql.table.TableRegistry;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventStoreTest {
    @TempDir
    Path dir;

    static final Row.Layout FILE = Row.layout(EventedTables.FILE_EVENTS);
    static final Row.Text PATH = FILE.text("target_path"), CATEGORY = FILE.text("category"), ACTION = FILE.text("action"), MODE = FILE.text("mode");
    static final Row.Int TRANSACTION_ID = FILE.integer("transaction_id"), INODE = FILE.integer("inode"), UID = FILE.integer("uid"),
            GID = FILE.integer("gid"), SIZE = FILE.integer("size"), ATIME = FILE.integer("atime"), MTIME = FILE.integer("mtime"),
            CTIME = FILE.integer("ctime"), HASHED = FILE.integer("hashed"), TIME = FILE.integer("time");

    static Row fileRow(String path, long time, long eid) {
        Row row = FILE.row().set(PATH, path).set(CATEGORY, "etc").set(ACTION, "CREATED").set(TRANSACTION_ID, 0).set(INODE, 1).set(UID, 0)
                .set(GID, 0).set(MODE, "0644").set(SIZE, 3).set(ATIME, time).set(MTIME, time).set(CTIME, time).set(HASHED, 0).set(TIME, time);
        row.eid(String.format("%010d", eid));
        return row;
    }

    @Test
    void rowsAndPositionCommitTogetherAndSurviveReopen() {
        Path f = dir.resolve("events.db");
        try (EventStore s = EventStore.open(f, EventedTables.all())) {
            assertThat(s.position("fim")).isEqualTo(EventStore.Position.START);
            s.commit("fim", new EventStore.Position(42, 4200, 2), b -> {
                b.insert(fileRow("/etc/a", 100, 1));
                b.insert(fileRow("/etc/b", 101, 2));
            });
            assertThatThrownBy(() -> s.commit("fim", new EventStore.Position(43, 4300, 3), b -> {
                b.insert(fileRow("/etc/c", 102, 3));
                throw new IllegalStateException("crash mid-batch");
            })).hasMessageContaining("crash mid-batch");
        }
        try (EventStore s = EventStore.open(f, EventedTables.all())) {
            assertThat(s.position("fim")).isEqualTo(new EventStore.Position(42, 4200, 2));
            assertThat(s.query("SELECT target_path FROM file_events ORDER BY rowid").rows()).extracting(r -> r[0])
                    .containsExactly("/etc/a", "/etc/b");
        }
    }

    @Test
    void retentionByAgeRowsAndBytes() {
        try (EventStore s = EventStore.open(dir.resolve("events.db"), EventedTables.all())) {
            long now = System.currentTimeMillis() / 1000;
            s.commit("fim", new EventStore.Position(1, 1, 1000), b -> {
                for (int i = 0; i < 1000; i++) b.insert(fileRow("/x/" + "y".repeat(400) + i, i < 100 ? now - 7200 : now, i));
            });
            assertThat(s.applyRetention(3600, 0, 0).expired()).isEqualTo(100);
            assertThat(s.applyRetention(0, 500, 0).overMax()).isEqualTo(400);
            assertThat(s.query("SELECT min(eid) FROM file_events").rows().get(0)[0]).isEqualTo("0000000500");
            long before = s.usedBytes();
            s.applyRetention(0, 0, before / 2);
            assertThat(s.usedBytes()).isLessThanOrEqualTo(before / 2);
            assertThat((Long) s.query("SELECT count(*) FROM file_events").rows().get(0)[0]).isBetween(1L, 499L);
        }
    }

    @Test
    void aTableWithLimitsOfItsOwnIsKeptByThemAndTheOthersByTheStores() {
        Row.Layout syslog = Row.layout(EventedTables.SYSLOG_EVENTS);
        Row.Int syslogTime = syslog.integer("time");
        Row.Text message = syslog.text("message");
        try (EventStore s = EventStore.open(dir.resolve("events.db"), EventedTables.all())) {
            long now = System.currentTimeMillis() / 1000;
            s.commit("both", new EventStore.Position(1, 1, 20), b -> {
                for (int i = 0; i < 10; i++) {
                    long time = i < 5 ? now - 7200 : now;
                    b.insert(fileRow("/f" + i, time, i));
                    Row r = syslog.row().set(syslogTime, time).set(message, "m" + i);
                    r.eid(String.format("%010d", 10 + i));
                    b.insert(r);
                }
            });
            // As osquery's --syslog_events_expiry and --syslog_events_max: syslog_events keeps two hours, and 8 rows at most.
            EventStore.Retention r = s.applyRetention(new EventStore.Limits(3600, 0),
                    java.util.Map.of("syslog_events", new EventStore.Limits(3 * 3600, 8)), 0);
            assertThat(r.expired()).as("file_events' five rows two hours old").isEqualTo(5);
            assertThat(r.overMax()).as("syslog_events' two oldest rows").isEqualTo(2);
            assertThat(s.query("SELECT message FROM syslog_events ORDER BY rowid").rows()).extracting(x -> x[0])
                    .containsExactly("m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
            assertThat((Long) s.query("SELECT count(*) FROM file_events").rows().get(0)[0]).isEqualTo(5);
        }
    }

    @Test
    void theEngineAttachesItReadOnlyAndTimeWindowsUseTheIndex() {
        Path f = dir.resolve("events.db");
        try (EventStore s = EventStore.open(f, EventedTables.all())) {
            s.commit("fim", new EventStore.Position(1, 1, 1), b -> b.insert(fileRow("/etc/passwd", 500, 1)));
            try (Database engine = Database.open(new TableRegistry())) {
                engine.attachReadOnly(f, "events");
                assertThat(engine.query("SELECT target_path FROM file_events WHERE time BETWEEN 400 AND 600").rows().get(0)[0])
                        .isEqualTo("/etc/passwd");
                QueryResult plan = engine.query("EXPLAIN QUERY PLAN SELECT * FROM file_events WHERE time BETWEEN 400 AND 600");
                assertThat(plan.rows()).anySatisfy(r -> assertThat((String) r[3]).contains("USING INDEX file_events_time"));
                assertThatThrownBy(() -> engine.query("DELETE FROM file_events")).hasMessageContaining("not allowed");
                assertThatThrownBy(() -> engine.executeTrusted("DELETE FROM file_events")).hasMessageContaining("readonly");
                // The daemon keeps writing while readers read (WAL).
                s.commit("fim", new EventStore.Position(2, 2, 2), b -> b.insert(fileRow("/etc/group", 501, 2)));
                assertThat(engine.query("SELECT count(*) FROM file_events").rows().get(0)[0]).isEqualTo(2L);
            }
        }
    }

    @Test
    void aDamagedFileIsMovedAsideAndAFreshOneMade() throws Exception {
        Path f = dir.resolve("events.db");
        java.nio.file.Files.write(f, "this is not a database at all, just garbage bytes...".repeat(200).getBytes());
        try (EventStore s = EventStore.open(f, EventedTables.all())) {
            assertThat(s.position("fim")).isEqualTo(EventStore.Position.START);
            s.commit("fim", new EventStore.Position(1, 1, 1), b -> b.insert(fileRow("/etc/a", 1, 1)));
        }
        try (var files = java.nio.file.Files.list(dir.resolve(EventStore.DAMAGED_DIR))) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.matches("events\\.db\\.\\d+"));
        }
        assertThat(EventStore.rebuildingNote(f)).contains("was damaged").contains("moved aside to " + dir.resolve(EventStore.DAMAGED_DIR));
    }

    /** Many rows, checkpointed into the main file, then random bytes over pages in its middle (past the header). */
    static void damageTheMiddle(EventStore s, Path f) throws Exception {
        s.commit("fim", new EventStore.Position(5000, 5000, 5000), b -> {
            for (int i = 0; i < 5000; i++) b.insert(fileRow("/data/" + "p".repeat(100) + i, 1000 + i, i));
        });
        s.query("PRAGMA wal_checkpoint(TRUNCATE)");
        long size = java.nio.file.Files.size(f);
        byte[] noise = new byte[4096 * 8];
        new java.util.Random(7).nextBytes(noise);
        try (var raf = new java.io.RandomAccessFile(f.toFile(), "rw")) {
            raf.seek((size / 2) / 4096 * 4096);
            raf.write(noise);
        }
    }

    @Test
    void damageInTheMiddleIsFoundByTheCheckAndByQueriesAndRebuildStartsOver() throws Exception {
        Path f = dir.resolve("events.db");
        try (EventStore s = EventStore.open(f, EventedTables.all())) {
            assertThat(s.integrityProblem()).isNull();
            damageTheMiddle(s, f);
            List<io.hostql.sql.SqlException> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
            s.onCorruption(reported::add);
            assertThat(s.integrityProblem()).as("quick_check on a fresh connection sees the damage").isNotNull();
            // A full scan through the writer's connection, its page cache dropped, fails and is reported.
            s.query("PRAGMA shrink_memory");
            assertThatThrownBy(() -> s.query("SELECT count(*), sum(length(target_path)) FROM file_events NOT INDEXED"))
                    .isInstanceOfSatisfying(io.hostql.sql.SqlException.class, e -> assertThat(e.isCorruption()).isTrue());
            assertThat(reported).isNotEmpty();

            Path aside = s.rebuild("test damage");
            assertThat(aside).exists().hasParent(dir.resolve(EventStore.DAMAGED_DIR));
            assertThat(s.rebuilding()).isTrue();
            assertThat(s.integrityProblem()).isNull();
            assertThat(s.position("fim")).as("a fresh file: every subscriber re-reads the journal").isEqualTo(EventStore.Position.START);
            assertThat(s.query("SELECT count(*) FROM file_events").rows().get(0)[0]).isEqualTo(0L);
            s.commit("fim", new EventStore.Position(1, 1, 1), b -> b.insert(fileRow("/after", 1, 1)));
            s.rebuilt();
            assertThat(s.rebuilding()).isFalse();
            assertThat(EventStore.rebuildingNote(f)).isNull();
        }
        try (EventStore s = EventStore.open(f, EventedTables.all())) {
            assertThat(s.query("SELECT target_path FROM file_events").rows()).extracting(r -> r[0]).containsExactly("/after");
        }
    }

    @Test
    void damageInTheMiddleFoundAtOpenIsMovedAside() throws Exception {
        Path f = dir.resolve("events.db");
        try (EventStore s = EventStore.open(f, EventedTables.all())) {
            damageTheMiddle(s, f);
        } catch (io.hostql.sql.SqlException closing) {
            // closing may checkpoint over the damage or not; what matters is the next open
        }
        try (EventStore s = EventStore.open(f, EventedTables.all())) {
            assertThat(s.rebuilding()).isTrue();
            assertThat(s.position("fim")).isEqualTo(EventStore.Position.START);
            assertThat(s.integrityProblem()).isNull();
        }
    }

    @Test
    void columnsAddedAtTheEndKeepTheRows() {
        Path f = dir.resolve("events.db");
        try (Database raw = Database.openInternal(f.toString())) {
            raw.executeTrusted("CREATE TABLE hostql_event_losses (time BIGINT, source TEXT, count BIGINT, reason TEXT, capture_time_ns BIGINT,"
                    + " eid TEXT); INSERT INTO hostql_event_losses VALUES (1, 'journal', 5, 'old row', 1, '0000000001')");
        }
        try (EventStore s = EventStore.open(f, EventedTables.all())) {
            assertThat(s.query("SELECT reason, estimate FROM hostql_event_losses").rows()).singleElement()
                    .satisfies(r -> assertThat(r).containsExactly("old row", null));
        }
    }

    /**
     * process_events gained osquery's status after syscall, before hostql's own columns: an events.db made by the
     * declaration before keeps its rows, gains the column (last in the file), and takes new rows with it.
     */
    @Test
    void columnsAddedInTheMiddleKeepTheRowsAndNewRowsFillThem() {
        Path f = dir.resolve("events.db");
        TableSchema now = EventedTables.PROCESS_EVENTS;
        TableSchema.Builder before = TableSchema.builder(now.name(), now.description());
        for (io.hostql.sql.table.Column c : now.columns()) {
            if (!c.name().equals("status")) before.column(c.name(), c.type(), c.options().toArray(new io.hostql.sql.table.ColumnOption[0]));
        }
        Row.Layout old = Row.layout(before.build());
        try (EventStore s = EventStore.open(f, List.of(old.table()))) {
            s.commit("process_events", new EventStore.Position(1, 1, 1), b -> {
                Row r = old.row().set(old.integer("pid"), 42).set(old.text("syscall"), "execve").set(old.text("parent_path"), "/bin/sh")
                        .set(old.integer("audit_serial"), 7).set(old.integer("time"), 100);
                r.eid("0000000001");
                b.insert(r);
            });
        }
        Row.Layout current = Row.layout(now);
        for (int open = 0; open < 2; open++) { // the second open finds the layout as the first left it: nothing to do
            try (EventStore s = EventStore.open(f, EventedTables.all())) {
                assertThat(s.query("SELECT name FROM sqlite_master WHERE name LIKE 'process_events_before_%'").rows()).isEmpty();
                List<String> columns = s.query("SELECT name FROM pragma_table_info('process_events')").rows().stream().map(r -> (String) r[0]).toList();
                assertThat(columns).containsExactlyInAnyOrderElementsOf(now.columns().stream().map(io.hostql.sql.table.Column::name).toList());
                assertThat(columns.get(columns.size() - 1)).isEqualTo("status");
                if (open == 0) {
                    s.commit("process_events", new EventStore.Position(2, 2, 2), b -> {
                        Row r = current.row().set(current.integer("pid"), 43).set(current.text("syscall"), "execveat")
                                .set(current.integer("status"), 0).set(current.text("parent_path"), "/bin/bash").set(current.integer("audit_serial"), 8)
                                .set(current.integer("time"), 101);
                        r.eid("0000000002");
                        b.insert(r);
                    });
                }
                assertThat(s.query("SELECT pid, syscall, status, parent_path, audit_serial, time, eid FROM process_events ORDER BY eid").rows())
                        .containsExactly(new Object[] {42L, "execve", null, "/bin/sh", 7L, 100L, "0000000001"},
                                new Object[] {43L, "execveat", 0L, "/bin/bash", 8L, 101L, "0000000002"});
            }
        }
    }

    /** A table with a column the declaration no longer has (removed or renamed) is moved aside with its rows. */
    @Test
    void anOlderLayoutIsKeptAsideNotDropped() {
        Path f = dir.resolve("events.db");
        try (Database raw = Database.open(f.toString(), new TableRegistry())) {
            raw.executeTrusted("CREATE TABLE file_events (target_path TEXT, old_name TEXT, time BIGINT); INSERT INTO file_events VALUES ('/old', 'x', 1)");
        }
        try (EventStore s = EventStore.open(f, EventedTables.all())) {
            assertThat(s.query("SELECT count(*) FROM file_events").rows().get(0)[0]).isEqualTo(0L);
            assertThat(s.query("SELECT name FROM sqlite_master WHERE name LIKE 'file_events_before_%' AND type = 'table'").rows()).hasSize(1);
        }
    }
}
