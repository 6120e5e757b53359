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
import java.util.LinkedHashMap;
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
 *
 * <p>A disk that is full, read-only or failing must not stop the scheduler: writes wait in memory
 * ({@link #pending}) and go to disk at the first commit that works; meanwhile the scheduler runs on
 * its in-memory state. A restart before they are written repeats the last runs' results (never loses
 * them). The fault is one status line when it starts and one when it ends ({@link WriteFault}).
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
    /** Writes not on disk yet: whole states, and run times of queries whose state did not change. */
    private final Map<String, Saved> pending = new LinkedHashMap<>();
    private final Map<String, Long> touched = new LinkedHashMap<>();
    private final WriteFault fault;
    private final WriteFault runningFault;

    ScheduleState(Path file) {
        fault = new WriteFault("the schedule state " + file, "the scheduler keeps its state in memory (a restart meanwhile repeats the last results)");
        runningFault = new WriteFault(file.resolveSibling("schedule.running").toString(),
                "a query that crashes hostqld is not denylisted at the next start");
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

    /**
     * Writes what is pending in one transaction (the scheduler commits once per tick). On a write
     * failure nothing is lost: it stays pending for the next commit, and the status log says so once.
     */
    synchronized void commit() {
        if (pending.isEmpty() && touched.isEmpty()) return;
        try {
            db.executeTrusted("BEGIN");
            try {
                for (Map.Entry<String, Saved> e : pending.entrySet()) write(e.getKey(), e.getValue());
                for (Map.Entry<String, Long> e : touched.entrySet()) touch.run(e.getValue(), e.getKey());
                db.executeTrusted("COMMIT");
            } catch (RuntimeException e) {
                try {
                    db.executeTrusted("ROLLBACK");
                } catch (RuntimeException ignored) {
                    // SQLite rolled back already (SQLITE_FULL, SQLITE_IOERR end the transaction)
                }
                throw e;
            }
            pending.clear();
            touched.clear();
            fault.succeeded();
        } catch (RuntimeException e) {
            fault.failed(e, 0);
        }
    }

    private void write(String name, Saved s) {
        try {
            replace.run(name, s.sql(), s.epoch(),
                    s.counter(), s.hasResults() ? JSON.writeValueAsString(s.results()) : null, s.interval(), s.splayed(),
                    s.lastRun(), JSON.writeValueAsString(s.windowEnds()), s.denylistedUntil(), s.denylistReason());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    synchronized Saved load(String name) {
        Saved p = pending.get(name);
        if (p != null) return p;
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

    /** Saved at the next {@link #commit}. */
    synchronized void save(String name, Saved s) {
        pending.put(name, s);
        touched.remove(name);
    }

    /** A run that changed nothing but its time: no need to rewrite the previous results. */
    synchronized void touch(String name, long lastRun) {
        Saved p = pending.get(name);
        if (p != null) {
            pending.put(name, new Saved(p.sql(), p.epoch(), p.counter(), p.results(), p.hasResults(), p.interval(), p.splayed(),
                    lastRun, p.windowEnds(), p.denylistedUntil(), p.denylistReason()));
        } else {
            touched.put(name, lastRun);
        }
    }

    /** Whether state writes are failing now (disk full, read-only, I/O errors). */
    boolean failing() {
        return fault.failing();
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
            runningFault.succeeded();
        } catch (IOException e) {
            runningFault.failed(e, 0); // the query runs anyway: monitoring matters more than crash denylisting
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
