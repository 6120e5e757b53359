package io.hostql.daemon.schedule;

import io.hostql.evented.EventedTables;
import io.hostql.sql.Database;
import io.hostql.sql.QueryResult;
import io.hostql.sql.SqlException;
import io.hostql.sql.table.TableRegistry;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection scheduled queries run on: every snapshot table, the daemon's evented tables
 * (events.db attached read-only), and the config's views.
 *
 * <p>In the scheduler ({@link #windowed}), each evented table name is a TEMP view over the real
 * table limited to the running query's window of eids, so a scheduled query sees each event once:
 * the rows committed since its previous run. Queries from anywhere else (the shell, live queries)
 * read the real tables and see every retained row. A query that bounds {@code time} itself gets
 * no window (see {@link #plan}); {@code hostql_last_run()} and {@code hostql_run_time()} give it
 * the times to bound by, e.g. {@code WHERE time > hostql_last_run() - 300} for a 5-minute
 * correlation window.
 *
 * <p>The raw engine ({@link #raw}) has empty in-memory evented tables: --config_check prepares
 * every query on it, and the scheduler asks it how a query uses the evented tables.
 */
public final class QueryEngine implements AutoCloseable {
    /** The window a query runs with: per evented table, eids in (start, end]; plus its run times. */
    public record Window(Map<String, String> start, Map<String, String> end, long lastRun, long runTime) {
        static final Window ALL = new Window(Map.of(), Map.of(), 0, 0);
    }

    /** How a query reads the evented tables: which ones, and whether it bounds their time itself. */
    public record Plan(Set<String> eventedTables, boolean boundsTime) {
        public boolean windowed() {
            return !eventedTables.isEmpty() && !boundsTime;
        }
    }

    private static final Logger log = LoggerFactory.getLogger(QueryEngine.class);
    private static final String ALL_START = "", ALL_END = "~"; // eids are zero-padded digits: '' < eid < '~'
    private static final Pattern PLAN_TABLE = Pattern.compile("\\b(?:SCAN|SEARCH) (?:TABLE )?(\\w+)");
    private static final Pattern TIME_INDEX = Pattern.compile("USING (?:COVERING )?INDEX (\\w+)_time \\(time");

    private final Database db;
    private final List<TableSchema> evented;
    private volatile Window window = Window.ALL;
    /**
     * Scheduled queries compiled once: preparing runs the authorizer and every table's xBestIndex through
     * JNA callbacks, a good part of a small query's cost. SQLite re-prepares a statement itself when the
     * schema changes.
     */
    private final Map<String, Database.Statement> compiled = new HashMap<>();
    private static final int MAX_COMPILED = 4096;

    private QueryEngine(Database db, List<TableSchema> evented) {
        this.db = db;
        this.evented = evented;
    }

    /** The scheduler's engine on the daemon's events.db (attached if it exists), with windows and views. */
    public static QueryEngine windowed(TableRegistry registry, Path eventsDb, List<TableSchema> evented, Map<String, String> views) {
        QueryEngine e = live(registry, eventsDb, evented);
        try {
            for (TableSchema t : evented) {
                String n = quote(t.name()), lit = "'" + t.name().replace("'", "''") + "'";
                if (t.indexOf("eid") < 0) continue; // a status table (hostql_audit_status): nothing to window
                e.db.executeTrusted("CREATE TEMP VIEW " + n + " AS SELECT * FROM events." + n + " WHERE eid > hostql_window_start(" + lit
                        + ") AND eid <= hostql_window_end(" + lit + ")");
            }
            for (Map.Entry<String, String> v : views.entrySet()) {
                try {
                    e.addView(v.getKey(), v.getValue());
                } catch (SqlException bad) {
                    log.error("config view {} is not created: {}", v.getKey(), bad.getMessage());
                }
            }
        } catch (RuntimeException ex) {
            e.db.close();
            throw ex;
        }
        return e;
    }

    /**
     * The engine of live (distributed) queries, and the base of {@link #windowed}: events.db attached
     * read-only (if it exists) under the real table names, so a query sees every retained row, as
     * osquery's live queries do; no windows, no views.
     */
    public static QueryEngine live(TableRegistry registry, Path eventsDb, List<TableSchema> evented) {
        Database db = Database.open(registry);
        QueryEngine e = new QueryEngine(db, evented);
        try {
            e.functions();
            if (Files.exists(eventsDb)) EventedTables.attach(db, eventsDb);
            else e.emptyEvents(); // events disabled: the tables exist, empty
        } catch (RuntimeException ex) {
            db.close();
            throw ex;
        }
        return e;
    }

    /** Empty evented tables, no views yet ({@link #addView}): for checking and planning queries. */
    public static QueryEngine raw(TableRegistry registry, List<TableSchema> evented) {
        Database db = Database.open(registry);
        QueryEngine e = new QueryEngine(db, evented);
        try {
            e.functions();
            e.emptyEvents();
        } catch (RuntimeException ex) {
            db.close();
            throw ex;
        }
        return e;
    }

    private void emptyEvents() {
        EventedTables.attachEmpty(db, evented);
    }

    private void functions() {
        db.createFunction("hostql_window_start", 1, a -> window.start().getOrDefault(String.valueOf(a[0]), ALL_START));
        db.createFunction("hostql_window_end", 1, a -> window.end().getOrDefault(String.valueOf(a[0]), ALL_END));
        db.createFunction("hostql_last_run", 0, a -> window.lastRun());
        db.createFunction("hostql_run_time", 0, a -> window.runTime() == 0 ? System.currentTimeMillis() / 1000 : window.runTime());
    }

    /** A config view, as a TEMP view so it can read every schema (user SQL stays read-only); a bad one throws. */
    public void addView(String name, String sql) {
        validate(sql); // one read-only statement that compiles: "x; DROP ..." must not reach the trusted CREATE below
        db.executeTrusted("CREATE TEMP VIEW " + quote(name) + " AS " + sql);
    }

    static String quote(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    public Database database() {
        return db;
    }

    /**
     * Prepares the statement as a scheduled run does ({@link Database#prepare}: exactly one read-only
     * statement) without running it, so --config_check refuses what the scheduler would: an unknown
     * table or column, a missing required column, a write, or a second statement ("SELECT 1; DROP
     * TABLE x").
     */
    public void validate(String sql) {
        db.prepare(sql).close();
    }

    /** How the query reads the evented tables, from SQLite's own plan (a raw engine sees the real table names). */
    public Plan plan(String sql) {
        Set<String> names = new LinkedHashSet<>();
        for (TableSchema t : evented) names.add(t.name());
        Set<String> used = new LinkedHashSet<>();
        boolean time = false;
        QueryResult r = db.query("EXPLAIN QUERY PLAN " + sql);
        int detail = r.columns().indexOf("detail");
        for (Object[] row : r.rows()) {
            String d = String.valueOf(row[detail]);
            Matcher m = PLAN_TABLE.matcher(d);
            while (m.find()) if (names.contains(m.group(1))) used.add(m.group(1));
            Matcher t = TIME_INDEX.matcher(d);
            while (t.find()) if (names.contains(t.group(1))) time = true;
        }
        return new Plan(used, time);
    }

    /** The newest eid of each evented table now: the end of the windows of the runs about to start. */
    public Map<String, String> newestEids() {
        Map<String, String> out = new HashMap<>();
        for (TableSchema t : evented) {
            if (t.indexOf("eid") < 0) continue;
            Object v = db.queryTrusted("SELECT max(eid) FROM events." + quote(t.name())).rows().get(0)[0];
            out.put(t.name(), v == null ? "" : v.toString());
        }
        return out;
    }

    /** Runs one statement with the given window in force. */
    public QueryResult run(String sql, Window w) {
        window = w;
        try {
            return compiled(sql).query();
        } finally {
            window = Window.ALL;
        }
    }

    private synchronized Database.Statement compiled(String sql) {
        Database.Statement s = compiled.get(sql);
        if (s != null) return s;
        if (compiled.size() >= MAX_COMPILED) clearCompiled(); // a config churning through queries: start over
        s = db.prepare(sql); // the rule validate() checks
        compiled.put(sql, s);
        return s;
    }

    private synchronized void clearCompiled() {
        compiled.values().forEach(Database.Statement::close);
        compiled.clear();
    }

    public void interrupt() {
        db.interrupt();
    }

    @Override
    public void close() {
        clearCompiled();
        db.close();
    }
}
