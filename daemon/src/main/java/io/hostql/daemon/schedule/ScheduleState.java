package io.hostql.daemon.schedule;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hostql.sql.Database;
import io.hostql.sql.QueryResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the scheduler keeps across restarts, in {@code <database_path>/schedule.db}: per query its
 * SQL, the previous run's rows (for the differential), epoch and counter, the splayed interval, the
 * end of its event windows, and its denylisting. The name of the query running right now is in
 * {@code schedule.running}, so a crash in the middle of a query denylists it at the next start
 * (osquery's kExecutingQuery).
 *
 * <p>Cost matters here: a schedule of 100 queries writes this state 10 times a second. The
 * statements are compiled once, one tick's writes are one transaction ({@link #begin}/{@link
 * #commit}), and the running marker is one pwrite, which a process crash cannot lose (the page
 * cache keeps it).
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
    private final Database.Statement select, replace, touch;
    private final FileChannel running;
    private boolean inTransaction;

    ScheduleState(Path file) {
        db = Database.openInternal(file.toString());
        db.executeTrusted("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                + " CREATE TABLE IF NOT EXISTS queries (name TEXT PRIMARY KEY, sql TEXT, epoch INTEGER, counter INTEGER,"
                + " results TEXT, interval INTEGER, splayed INTEGER, last_run INTEGER, windows TEXT,"
                + " denylisted_until INTEGER, denylist_reason TEXT)");
        select = db.prepareTrusted("SELECT sql, epoch, counter, results, interval, splayed, last_run, windows,"
                + " denylisted_until, denylist_reason FROM queries WHERE name = ?");
        replace = db.prepareTrusted("INSERT OR REPLACE INTO queries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        touch = db.prepareTrusted("UPDATE queries SET last_run = ? WHERE name = ?");
        try {
            running = FileChannel.open(file.resolveSibling("schedule.running"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            db.close();
            throw new UncheckedIOException("cannot open " + file.resolveSibling("schedule.running") + ": " + e.getMessage(), e);
        }
    }

    /** Writes join one transaction until {@link #commit}: the scheduler commits once per tick. */
    private void begin() {
        if (inTransaction) return;
        db.executeTrusted("BEGIN");
        inTransaction = true;
    }

    synchronized void commit() {
        if (!inTransaction) return;
        inTransaction = false;
        try {
            db.executeTrusted("COMMIT");
        } catch (RuntimeException e) {
            // Disk full or I/O error: this tick's state is lost (its lines will repeat), the next tick starts clean.
            try {
                db.executeTrusted("ROLLBACK");
            } catch (RuntimeException ignored) {
                // no transaction left open
            }
            throw e;
        }
    }

    synchronized Saved load(String name) {
        QueryResult r = select.query(name);
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
        begin();
        try {
            replace.run(name, s.sql(), s.epoch(),
                    s.counter(), s.hasResults() ? JSON.writeValueAsString(s.results()) : null, s.interval(), s.splayed(),
                    s.lastRun(), JSON.writeValueAsString(s.windowEnds()), s.denylistedUntil(), s.denylistReason());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A run that changed nothing but its time: no need to rewrite the previous results. */
    synchronized void touch(String name, long lastRun) {
        begin();
        touch.run(lastRun, name);
    }

    /** The query that was running when the daemon stopped, or null. */
    synchronized String executing() {
        try {
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(running.size(), 1 << 20));
            while (b.hasRemaining() && running.read(b, b.position()) > 0) {}
            b.flip();
            if (b.remaining() < 4) return null;
            int n = b.getInt();
            if (n <= 0 || n > b.remaining()) return null;
            return StandardCharsets.UTF_8.decode(b.limit(4 + n)).toString();
        } catch (IOException e) {
            return null;
        }
    }

    /** Marks the query as running (or none, with null): length-prefixed, so a shorter name after a longer one reads right. */
    synchronized void setExecuting(String name) {
        byte[] n = name == null ? new byte[0] : name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + n.length).putInt(n.length).put(n).flip();
        try {
            while (b.hasRemaining()) running.write(b, b.position());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write schedule.running: " + e.getMessage(), e);
        }
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
        try {
            commit();
        } finally {
            select.close();
            replace.close();
            touch.close();
            db.close();
            try {
                running.close();
            } catch (IOException ignored) {
                // nothing was pending: every write is a completed pwrite
            }
        }
    }
}
