package io.hostql.tables;

import io.hostql.config.Settings;
import io.hostql.sql.Database;
import io.hostql.sql.QueryResult;
import io.hostql.sql.table.Column;
import io.hostql.sql.table.Constraint;
import io.hostql.sql.table.ConstraintOp;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Shared by table tests: one engine with every table, rows as maps, a table's generator run
 * directly (fake /proc, /sys and /etc trees), and native tools to compare with.
 */
public final class TableTests {
    private static Database db;

    private TableTests() {}

    public static synchronized Database db() {
        if (db == null) {
            Settings settings = Settings.defaults();
            db = Database.open(LinuxTables.registry(settings));
        }
        return db;
    }

    /** Rows of a query as column -> value maps (values as the engine returns them). */
    public static List<Map<String, Object>> rows(String sql, Object... params) {
        QueryResult r = db().query(sql, params);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object[] row : r.rows()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < row.length; i++) m.put(r.columns().get(i), row[i]);
            out.add(m);
        }
        return out;
    }

    /** The single value of a one-row, one-column query. */
    public static Object value(String sql, Object... params) {
        QueryResult r = db().query(sql, params);
        if (r.rows().size() != 1) throw new AssertionError("expected one row from " + sql + ", got " + r.rows().size());
        return r.rows().get(0)[0];
    }

    /**
     * Runs a table's generator directly (no SQL), every column used, and returns its rows as the
     * engine would: every column of the schema (null where the generator set nothing), text bytes
     * decoded as UTF-8 (a bad byte becomes U+FFFD), integers as Long. Setting a column the schema
     * lacks fails the test.
     */
    public static List<Map<String, Object>> generate(Table table, QueryContext ctx) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        table.generate(ctx, () -> {
            Map<String, Object> row = new LinkedHashMap<>();
            for (Column c : table.schema().columns()) row.put(c.name(), null);
            out.add(row);
            return new RowSink.Row() {
                @Override
                public RowSink.Row set(String column, Object value) {
                    if (table.schema().indexOf(column) < 0) {
                        throw new AssertionError("no column " + column + " in " + table.schema().name());
                    }
                    if (value instanceof byte[] b) value = new String(b, StandardCharsets.UTF_8);
                    if (value instanceof Integer i) value = i.longValue();
                    row.put(column, value);
                    return this;
                }
            };
        });
        return out;
    }

    /** {@link #generate(Table, QueryContext)} without constraints. */
    public static List<Map<String, Object>> generate(Table table) throws Exception {
        return generate(table, QueryContext.all(table.schema()));
    }

    /**
     * {@link #generate(Table, QueryContext)} with {@code column = value} constraints pushed down, given
     * as column, value pairs; a column named more than once gets all its values (an IN list).
     */
    public static List<Map<String, Object>> generateWhere(Table table, Object... columnValuePairs) throws Exception {
        Map<String, List<Constraint>> cs = new LinkedHashMap<>();
        for (int i = 0; i < columnValuePairs.length; i += 2) {
            cs.computeIfAbsent((String) columnValuePairs[i], k -> new ArrayList<>())
                    .add(new Constraint(ConstraintOp.EQ, columnValuePairs[i + 1]));
        }
        return generate(table, new QueryContext(table.schema(), cs, -1L));
    }

    /** Writes a file of a fake tree, creating its parent directories. */
    public static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    /** A child process a test started; closing it kills it. */
    public record Child(Process process) implements AutoCloseable {
        public long pid() {
            return process.pid();
        }

        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Runs a native tool (the independent witness a table is checked against) and returns its stdout. */
    /**
     * The uid of a test user whose home files the test itself creates. The home tables read a file only
     * when its owner is that user (or root, for a file with one link): as root any uid works, as a user
     * the files are the user's own, so the test user must be them.
     */
    public static long homeUid() {
        if (isRoot()) return 4321;
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read this process's uid from /proc/self: " + e.getMessage(), e);
        }
    }

    public static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + String.join(" ", command));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Whether a command is on the PATH. */
    public static boolean hasCommand(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (new java.io.File(dir, name).canExecute()) return true;
        }
        return false;
    }
}
