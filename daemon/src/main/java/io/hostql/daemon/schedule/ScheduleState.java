package io.hostql.daemon.schedule;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hostql.sql.Database;
import io.hostql.sql.QueryResult;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the scheduler keeps across restarts, in {@code <database_path>/schedule.db}: per query its
 * SQL, the previous run's rows (for the differential), epoch and counter, the splayed interval, the
 * end of its event windows, and its denylisting; plus the name of the query running right now, so
 * a crash in the middle of a query denylists it at the next start (osquery's kExecutingQuery).
 */
final class ScheduleState implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One query's persisted state. results are canonical row JSON texts (see {@link Differential}). */
    record Saved(String sql, long epoch, long counter, List<String> results, boolean hasResults, long interval,
            long splayed, long lastRun, Map<String, String> windowEnds, long denylistedUntil, String denylistReason) {
        static Saved none() {
            return new Saved("", 0, 0, List.of(), false, 0, 0, 0, Map.of(), 0, "");
        }
    }

    private final Database db;

    ScheduleState(Path file) {
        db = Database.openInternal(file.toString());
        db.executeTrusted("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                + " CREATE TABLE IF NOT EXISTS queries (name TEXT PRIMARY KEY, sql TEXT, epoch INTEGER, counter INTEGER,"
                + " results TEXT, interval INTEGER, splayed INTEGER, last_run INTEGER, windows TEXT,"
                + " denylisted_until INTEGER, denylist_reason TEXT);"
                + " CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT)");
    }

    synchronized Saved load(String name) {
        QueryResult r = db.queryTrusted("SELECT sql, epoch, counter, results, interval, splayed, last_run, windows,"
                + " denylisted_until, denylist_reason FROM queries WHERE name = ?", name);
        if (r.rows().isEmpty()) return Saved.none();
        Object[] v = r.rows().get(0);
        try {
            List<String> results = v[3] == null ? List.of() : JSON.readValue((String) v[3], new TypeReference<List<String>>() {});
            Map<String, String> windows = v[7] == null ? Map.of() : JSON.readValue((String) v[7], new TypeReference<Map<String, String>>() {});
            return new Saved((String) v[0], (Long) v[1], (Long) v[2], results, v[3] != null, (Long) v[4], (Long) v[5],
                    (Long) v[6], windows, (Long) v[8], v[9] == null ? "" : (String) v[9]);
        } catch (java.io.IOException e) {
            return Saved.none(); // damaged row: start this query's differential afresh
        }
    }

    synchronized void save(String name, Saved s) {
        try {
            db.queryTrusted("INSERT OR REPLACE INTO queries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", name, s.sql(), s.epoch(),
                    s.counter(), s.hasResults() ? JSON.writeValueAsString(s.results()) : null, s.interval(), s.splayed(),
                    s.lastRun(), JSON.writeValueAsString(s.windowEnds()), s.denylistedUntil(), s.denylistReason());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A run that changed nothing but its time: no need to rewrite the previous results. */
    synchronized void touch(String name, long lastRun) {
        db.queryTrusted("UPDATE queries SET last_run = ? WHERE name = ?", lastRun, name);
    }

    synchronized String executing() {
        QueryResult r = db.queryTrusted("SELECT value FROM state WHERE key = 'executing'");
        return r.rows().isEmpty() ? null : (String) r.rows().get(0)[0];
    }

    synchronized void setExecuting(String name) {
        if (name == null) db.queryTrusted("DELETE FROM state WHERE key = 'executing'");
        else db.queryTrusted("INSERT OR REPLACE INTO state VALUES ('executing', ?)", name);
    }

    /** Every query name with state, for cleaning up after queries leave the config. */
    synchronized Map<String, Long> denylisted() {
        Map<String, Long> out = new HashMap<>();
        for (Object[] r : db.queryTrusted("SELECT name, denylisted_until FROM queries WHERE denylisted_until > 0").rows()) {
            out.put((String) r[0], (Long) r[1]);
        }
        return out;
    }

    @Override
    public synchronized void close() {
        db.close();
    }
}
