package io.hostql.sql;

import static io.hostql.sql.table.ColumnOption.HIDDEN;
import static io.hostql.sql.table.ColumnOption.INDEX;
import static io.hostql.sql.table.ColumnOption.REQUIRED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hostql.sql.table.ConstraintOp;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableRegistry;
import io.hostql.sql.table.TableSchema;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DatabaseTest {
    /** A table of fruits that records every query context it is given. */
    static final class Fruits implements Table {
        static final TableSchema SCHEMA = TableSchema.builder("fruits", "test table")
                .text("name", INDEX).bigint("weight").text("secret", HIDDEN).build();
        final List<QueryContext> seen = new ArrayList<>();

        public TableSchema schema() {
            return SCHEMA;
        }

        public void generate(QueryContext ctx, RowSink rows) {
            seen.add(ctx);
            for (String[] f : new String[][] {{"apple", "150"}, {"banana", "120"}, {"cherry", "8"}}) {
                rows.add().set("name", f[0]).set("weight", Long.parseLong(f[1])).set("secret", "s-" + f[0]);
            }
        }
    }

    /** A table that needs path or directory, like osquery's file and hash. */
    static final class Needy implements Table {
        static final TableSchema SCHEMA = TableSchema.builder("needy", "required columns")
                .text("path", REQUIRED, INDEX).text("directory", REQUIRED).text("value").build();

        public TableSchema schema() {
            return SCHEMA;
        }

        public void generate(QueryContext ctx, RowSink rows) {
            for (String p : ctx.equalsText("path")) rows.add().set("path", p).set("value", "v:" + p);
        }
    }

    static final class Broken implements Table {
        public TableSchema schema() {
            return TableSchema.builder("broken", "throws").text("x").build();
        }

        public void generate(QueryContext ctx, RowSink rows) {
            throw new IllegalStateException("cannot read /proc/kaboom");
        }
    }

    /** Many rows of long, distinct text: a text result not copied by SQLite would come back corrupted. */
    static final class Texts implements Table {
        public TableSchema schema() {
            return TableSchema.builder("texts", "long text").bigint("i").text("t").build();
        }

        public void generate(QueryContext ctx, RowSink rows) {
            for (int i = 0; i < 2000; i++) rows.add().set("i", (long) i).set("t", "row-" + i + "-" + "x".repeat(500 + i % 97));
        }
    }

    /** A generator that never ends by itself: busy for 1 ms a row (without looking at interrupts), or blocked. */
    static final class Endless implements Table {
        public TableSchema schema() {
            return TableSchema.builder("endless", "never ends").bigint("i").text("blocking", HIDDEN).build();
        }

        public void generate(QueryContext ctx, RowSink rows) throws Exception {
            if (!ctx.equalsText("blocking").isEmpty()) Thread.sleep(600_000);
            for (long i = 0; ; i++) {
                long until = System.nanoTime() + 1_000_000;
                while (System.nanoTime() < until) Thread.onSpinWait();
                rows.add().set("i", i);
            }
        }
    }

    Fruits fruits;
    Database db;

    @BeforeEach
    void open() {
        fruits = new Fruits();
        db = Database.open(new TableRegistry().add(fruits).add(new Needy()).add(new Broken()).add(new Texts()).add(new Endless()));
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void tablesAreEponymous() {
        QueryResult r = db.query("SELECT name, weight FROM fruits ORDER BY weight");
        assertThat(r.columns()).containsExactly("name", "weight");
        assertThat(r.rows()).extracting(x -> x[0]).containsExactly("cherry", "banana", "apple");
        assertThat(r.rows().get(0)[1]).isEqualTo(8L);
    }

    @Test
    void singleEqualityIsPushedDown_regressionForToArrayNotReadingElementZero() {
        // With one constraint, it is element 0 of aConstraint[]: the element Structure.toArray leaves unread.
        QueryResult r = db.query("SELECT weight FROM fruits WHERE name = 'banana'");
        assertThat(r.rows()).hasSize(1);
        QueryContext ctx = fruits.seen.get(fruits.seen.size() - 1);
        assertThat(ctx.constraints("name")).hasSize(1);
        assertThat(ctx.constraints("name").get(0).op()).isEqualTo(ConstraintOp.EQ);
        assertThat(ctx.equalsText("name")).containsExactly("banana");
    }

    @Test
    void inIsPushedDownAllAtOnce() {
        QueryResult r = db.query("SELECT name FROM fruits WHERE name IN ('apple', 'cherry', 'kiwi') ORDER BY name");
        assertThat(r.rows()).extracting(x -> x[0]).containsExactly("apple", "cherry");
        assertThat(fruits.seen).hasSize(1);
        assertThat(fruits.seen.get(0).equalsText("name")).containsExactlyInAnyOrder("apple", "cherry", "kiwi");
    }

    @Test
    void likeIsPushedDown() {
        db.query("SELECT name FROM fruits WHERE name LIKE 'b%'");
        assertThat(fruits.seen.get(0).likeText("name")).containsExactly("b%");
    }

    @Test
    void columnsUsedReachTheGenerator() {
        db.query("SELECT weight FROM fruits");
        QueryContext ctx = fruits.seen.get(0);
        assertThat(ctx.isUsed("weight")).isTrue();
        assertThat(ctx.isUsed("secret")).isFalse();
    }

    @Test
    void hiddenColumnsAreOnlyReturnedWhenNamed() {
        assertThat(db.query("SELECT * FROM fruits").columns()).containsExactly("name", "weight");
        assertThat(db.query("SELECT secret FROM fruits WHERE name = 'apple'").rows().get(0)[0]).isEqualTo("s-apple");
        assertThat(db.query("PRAGMA table_info(fruits)").rows()).extracting(x -> x[1]).containsExactly("name", "weight");
        assertThat(db.query("PRAGMA table_xinfo(fruits)").rows()).extracting(x -> x[1]).contains("secret");
    }

    @Test
    void missingRequiredColumnNamesTableAndColumns() {
        assertThatThrownBy(() -> db.query("SELECT * FROM needy"))
                .isInstanceOf(SqlException.class)
                .hasMessageContaining("needy").hasMessageContaining("'path'").hasMessageContaining("'directory'");
        assertThat(db.query("SELECT value FROM needy WHERE path = '/etc/passwd'").rows().get(0)[0]).isEqualTo("v:/etc/passwd");
        assertThat(db.query("SELECT count(*) FROM needy WHERE path IN ('/a', '/b')").rows().get(0)[0]).isEqualTo(2L);
    }

    @Test
    void requiredColumnCanComeFromAJoin() {
        QueryResult r = db.query("SELECT n.value FROM fruits f JOIN needy n ON n.path = f.name ORDER BY 1");
        assertThat(r.rows()).extracting(x -> x[0]).containsExactly("v:apple", "v:banana", "v:cherry");
    }

    @Test
    void exceptionInGeneratorBecomesAnError_regressionForSwallowedCallbackExceptions() {
        assertThatThrownBy(() -> db.query("SELECT * FROM broken"))
                .isInstanceOf(SqlException.class).hasMessageContaining("broken").hasMessageContaining("/proc/kaboom");
        // The connection stays usable.
        assertThat(db.query("SELECT count(*) FROM fruits").rows().get(0)[0]).isEqualTo(3L);
    }

    @Test
    void callbacksAreDirect_soACellCostsNoBoxingOrReflection() {
        // JNA's direct callbacks are reached through a private method; a JNA upgrade without it must be noticed.
        assertThat(io.hostql.sql.sqlite.Callbacks.direct()).isTrue();
    }

    @Test
    void textResultsAreCopied_regressionForSqliteTransient() {
        QueryResult r = db.query("SELECT i, t FROM texts");
        assertThat(r.rows()).hasSize(2000);
        for (Object[] row : r.rows()) {
            long i = (Long) row[0];
            assertThat(row[1]).isEqualTo("row-" + i + "-" + "x".repeat(500 + (int) (i % 97)));
        }
    }

    @Test
    void tablesSurviveGarbageCollection_regressionForCollectedCallbacks() {
        for (int round = 0; round < 5; round++) {
            List<byte[]> garbage = new ArrayList<>();
            for (int i = 0; i < 200; i++) garbage.add(new byte[100_000]);
            garbage.clear();
            System.gc();
            try (Database other = Database.open(new TableRegistry().add(new Fruits()))) {
                assertThat(other.query("SELECT count(*) FROM fruits").rows().get(0)[0]).isEqualTo(3L);
            }
            assertThat(db.query("SELECT count(*) FROM texts").rows().get(0)[0]).isEqualTo(2000L);
        }
    }

    @Test
    void sqliteFeaturesWork() {
        assertThat(db.query("SELECT json_extract('{\"a\":{\"b\":7}}', '$.a.b')").rows().get(0)[0]).isEqualTo(7L);
        assertThat(db.query("SELECT date('2026-11-28', '+3 days')").rows().get(0)[0]).isEqualTo("2026-12-01");
        assertThat(db.query("SELECT name FROM fruits WHERE weight > (SELECT avg(weight) FROM fruits) ORDER BY 1")
                .rows()).extracting(x -> x[0]).containsExactly("apple", "banana");
        assertThat(db.query("SELECT length(name), count(*) FROM fruits GROUP BY 1 ORDER BY 1").rows()).hasSize(2);
        assertThat(db.query("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10) SELECT sum(x) FROM c")
                .rows().get(0)[0]).isEqualTo(55L);
        assertThat(db.query("SELECT ?1 + ?2", 2, 3).rows().get(0)[0]).isEqualTo(5L);
        byte[] latin1 = {'/', 't', (byte) 0xe9};
        assertThat(db.query("SELECT typeof(?1), hex(?1)", (Object) latin1).rows().get(0)).containsExactly("text", "2F74E9");
        assertThat(db.query("SELECT typeof(?1)", new io.hostql.sql.table.Blob(new byte[] {1})).rows().get(0)[0]).isEqualTo("blob");
    }

    @Test
    void osqueryFunctions() {
        assertThat(db.query("SELECT split('a,b,,c', ',', 2)").rows().get(0)[0]).isEqualTo("c");
        assertThat(db.query("SELECT regex_match('uid=1000(me)', 'uid=([0-9]+)', 1)").rows().get(0)[0]).isEqualTo("1000");
        assertThat(db.query("SELECT concat_ws('-', 'a', NULL, 'b')").rows().get(0)[0]).isEqualTo("a-b");
        assertThat(db.query("SELECT to_base64('hostql'), from_base64('aG9zdHFs')").rows().get(0)).containsExactly("aG9zdHFs", "hostql");
        assertThat(db.query("SELECT sha256('abc')").rows().get(0)[0])
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(db.query("SELECT inet_aton('10.0.0.1')").rows().get(0)[0]).isEqualTo(167772161L);
        assertThat(db.query("SELECT version_compare('1.10.0', '1.9.2')").rows().get(0)[0]).isEqualTo(1L);
        assertThatThrownBy(() -> db.query("SELECT split('a', ',', 'x')")).hasMessageContaining("split()");
    }

    @Test
    void userSqlIsReadOnly() {
        assertThatThrownBy(() -> db.query("ATTACH DATABASE '/tmp/x.db' AS x")).hasMessageContaining("ATTACH is not allowed");
        assertThatThrownBy(() -> db.query("CREATE TABLE t(a)")).hasMessageContaining("CREATE, DROP, ALTER) is not allowed");
        assertThatThrownBy(() -> db.query("CREATE TEMP VIEW v AS SELECT 1")).hasMessageContaining("CREATE, DROP, ALTER) is not allowed");
        assertThatThrownBy(() -> db.query("SELECT load_extension('/tmp/evil.so')")).hasMessageContaining("load_extension() is not allowed");
        assertThatThrownBy(() -> db.query("PRAGMA journal_mode = DELETE")).hasMessageContaining("PRAGMA journal_mode is not allowed");
        assertThatThrownBy(() -> db.query("VACUUM")).hasMessageContaining("read-only");
        assertThatThrownBy(() -> db.query("INSERT INTO fruits VALUES ('x', 1)")).isInstanceOf(SqlException.class);
        db.executeTrusted("CREATE TABLE internal(a); INSERT INTO internal VALUES (1)");
        assertThatThrownBy(() -> db.query("DELETE FROM internal")).hasMessageContaining("DELETE from internal is not allowed");
        assertThatThrownBy(() -> db.query("UPDATE internal SET a = 2")).hasMessageContaining("UPDATE of internal is not allowed");
        assertThat(db.query("SELECT a FROM internal").rows().get(0)[0]).isEqualTo(1L);
    }

    /** As osqueryi: the table-valued forms of the allowed pragmas read; the others are refused for what they are. */
    @Test
    void pragmaTableValuedFunctions() {
        assertThat(db.query("SELECT name FROM pragma_database_list").rows()).extracting(r -> r[0]).contains("main");
        assertThat(db.query("SELECT name FROM pragma_table_info('fruits')").rows()).extracting(r -> r[0])
                .containsExactly("name", "weight");
        assertThatThrownBy(() -> db.query("SELECT * FROM pragma_journal_mode"))
                .hasMessageContaining("PRAGMA journal_mode is not allowed");
        assertThatThrownBy(() -> db.query("UPDATE sqlite_master SET sql = ''")).isInstanceOf(SqlException.class)
                .hasMessageNotContaining("CREATE, DROP");
        assertThat(db.query("SELECT count(*) FROM sqlite_master").rows().get(0)[0]).isEqualTo(0L);
    }

    /** The shell's Ctrl-C and the watchdog: SQLite's VM and a Java generator both stop, and the connection stays usable. */
    @Test
    void interruptStopsTheRunningStatement() throws Exception {
        for (String sql : List.of("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
                "SELECT count(*) FROM endless", "SELECT count(*) FROM endless WHERE blocking = '1'")) {
            Thread stopper = new Thread(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
                db.interrupt();
            });
            long start = System.nanoTime();
            stopper.start();
            assertThatThrownBy(() -> db.query(sql)).as(sql).isInstanceOf(SqlException.class).hasMessage(Database.INTERRUPTED);
            assertThat((System.nanoTime() - start) / 1_000_000).as(sql).isLessThan(10_000);
            stopper.join();
            assertThat(Thread.currentThread().isInterrupted()).as("interrupt cleared after " + sql).isFalse();
            assertThat(db.query("SELECT count(*) FROM fruits").rows().get(0)[0]).isEqualTo(3L);
        }
        db.interrupt(); // nothing running: no effect on the next statement
        assertThat(db.query("SELECT 1").rows().get(0)[0]).isEqualTo(1L);
    }

    @Test
    void preparedUserStatementsAreSingleAndReadOnly() {
        try (Database.Statement s = db.prepare("SELECT name FROM fruits WHERE weight > ? ORDER BY 1")) {
            assertThat(s.query(100).rows()).extracting(r -> r[0]).containsExactly("apple", "banana");
            assertThat(s.query(10).rows()).hasSize(2);
        }
        assertThatThrownBy(() -> db.prepare("SELECT 1; DELETE FROM fruits")).hasMessageContaining("only one SQL statement");
        assertThatThrownBy(() -> db.prepare("CREATE TABLE x(a)")).hasMessageContaining("not allowed");
    }

    /** A prepared statement binds only the values that changed since its last run: every row must still be what was given. */
    @Test
    void aPreparedInsertKeepsEveryValueWhenOnlySomeChange() {
        db.executeTrusted("CREATE TEMP TABLE t (a, b, c, d)");
        byte[] reused = "one".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] long1 = "x".repeat(300).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] long2 = long1.clone();
        long2[299] = 'y';
        List<Object[]> given = new ArrayList<>();
        given.add(new Object[] {1L, "s", reused, null});
        given.add(new Object[] {1L, "s", reused, null}); // all the same
        given.add(new Object[] {1, "s", reused, 2.5}); // an Integer where a Long was, a value where NULL was
        given.add(new Object[] {null, "t", reused, 2.5});
        given.add(new Object[] {2L, "t", "one", long1}); // a String where the same text's bytes were
        given.add(new Object[] {2L, "t", "one", long2}); // long bytes differing only at the end
        try (Database.Statement s = db.prepareTrusted("INSERT INTO t VALUES (?, ?, ?, ?)")) {
            for (Object[] row : given) s.run(row.clone());
            reused[0] = 'a'; // the caller changes the array it passed before: the new content is bound
            s.run(2L, "t", reused, null);
            assertThatThrownBy(() -> s.run(1L, "s")).hasMessageContaining("4 parameters but 2 values");
            s.run(2L, "t", reused, null);
        }
        List<Object[]> rows = db.queryTrusted("SELECT a, b, CAST(c AS TEXT), CAST(d AS TEXT) FROM t ORDER BY rowid").rows();
        assertThat(rows).extracting(r -> java.util.Arrays.asList(r).toString()).containsExactly(
                "[1, s, one, null]", "[1, s, one, null]", "[1, s, one, 2.5]", "[null, t, one, 2.5]",
                "[2, t, one, " + "x".repeat(300) + "]", "[2, t, one, " + "x".repeat(299) + "y]", "[2, t, ane, null]", "[2, t, ane, null]");
    }

    @Test
    void badSqlGetsSqlitesMessage() {
        assertThatThrownBy(() -> db.query("SELEC 1")).hasMessageContaining("syntax error");
        assertThatThrownBy(() -> db.query("SELECT * FROM no_such_table")).hasMessageContaining("no such table: no_such_table");
        assertThatThrownBy(() -> db.query("SELECT nope FROM fruits")).hasMessageContaining("no such column: nope");
    }

    @Test
    void scriptsRunEveryStatement() {
        List<QueryResult> results = new ArrayList<>();
        db.run("SELECT 1; -- comment\n SELECT 2 AS two;  ", results::add);
        assertThat(results).hasSize(2);
        assertThat(results.get(1).columns()).containsExactly("two");
        assertThat(Database.isComplete("SELECT 1")).isFalse();
        assertThat(Database.isComplete("SELECT 1;")).isTrue();
    }

    @Test
    void doublesPrintLikeSqlite() {
        assertThat(QueryResult.formatDouble(1.0)).isEqualTo("1.0");
        assertThat(QueryResult.formatDouble(0.5)).isEqualTo("0.5");
        assertThat(QueryResult.formatDouble(1e20)).isEqualTo("1.0e+20");
        assertThat(QueryResult.formatDouble(0.1 + 0.2)).isEqualTo("0.3");
        assertThat(QueryResult.formatDouble(-2.5e-7)).isEqualTo("-2.5e-07");
        Object[] row = db.query("SELECT 1.5, 100.0, 1e20").rows().get(0);
        assertThat(QueryResult.text(row[0], "")).isEqualTo("1.5");
        assertThat(QueryResult.text(row[1], "")).isEqualTo("100.0");
    }
}
