package io.hostql.tables;

import io.hostql.config.Settings;
import io.hostql.sql.Database;
import io.hostql.sql.QueryResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Shared by table tests: one engine with every table, rows as maps, and native tools to compare with. */
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

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Runs a native tool (the independent witness a table is checked against) and returns its stdout. */
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
