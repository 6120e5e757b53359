package io.hostql.evented;

import io.hostql.sql.Database;
import io.hostql.sql.QueryResult;
import io.hostql.sql.SqlException;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code <database_path>/events.db}: one real table per evented table (WAL, indexed on time), and
 * each subscriber's journal position, written in the same transaction as its rows so a restart
 * neither loses nor duplicates a row. One connection; transactions are serialised.
 *
 * <p>This class is the one entry point; its parts do the work: the file, its checks and its damage
 * ({@link EventsDbFile}), the schema ({@link EventsDbSchema}), the hot path's statements
 * ({@link EventsDbStatements}) and retention ({@link EventsDbRetention}).
 */
public final class EventStore implements AutoCloseable {
    /** Written next to events.db while its rows are rebuilt from the journal; the shell reads it to explain failing queries. */
    public static final String REBUILDING_MARKER = "events.db.rebuilding";
    /** Where a damaged events.db (and its -wal and -shm) is moved, under the data dir. */
    public static final String DAMAGED_DIR = "damaged";

    private final Path file;
    private Database db;
    private EventsDbStatements statements;
    private final List<TableSchema> tables;
    private volatile Consumer<SqlException> corruptionListener = e -> {};

    private EventStore(Path file, Database db, List<TableSchema> tables) {
        this.file = file;
        this.db = db;
        this.statements = new EventsDbStatements(db);
        this.tables = tables;
    }

    /**
     * Opens events.db. A damaged file (not a database, malformed, or failing {@code PRAGMA quick_check}) is
     * moved aside and a fresh one made: the rows are rebuilt from the journal, since the subscribers'
     * positions go with the file.
     */
    public static EventStore open(Path file, List<TableSchema> tables) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create " + file.getParent() + ": " + e.getMessage(), e);
        }
        String problem;
        try {
            EventStore s = openAs(file, tables);
            problem = EventsDbFile.quickCheck(s.db);
            if (problem == null) return s;
            s.db.close();
        } catch (SqlException e) {
            if (!e.isCorruption()) throw e;
            problem = e.getMessage();
        }
        EventsDbFile.moveAside(file, problem);
        return openAs(file, tables);
    }

    private static EventStore openAs(Path file, List<TableSchema> tables) {
        return new EventStore(file, EventsDbFile.open(file, tables), List.copyOf(tables));
    }

    /** Null when the file on disk passes {@code PRAGMA quick_check} (on a read-only connection of its own); else what SQLite found. */
    public String integrityProblem() {
        return integrityProblem(file);
    }

    /** As {@link #integrityProblem()}, on any events.db (the benchmark times the daemon's check with it). */
    public static String integrityProblem(Path file) {
        return EventsDbFile.integrityProblem(file);
    }

    /**
     * Called with SQLite's error when a statement on events.db finds the file damaged (SQLITE_CORRUPT,
     * SQLITE_NOTADB): the daemon then rebuilds it ({@link #rebuild}). The error is still thrown to the caller.
     */
    public void onCorruption(Consumer<SqlException> listener) {
        corruptionListener = listener;
    }

    private RuntimeException noticed(RuntimeException e) {
        if (e instanceof SqlException s && s.isCorruption()) {
            try {
                corruptionListener.accept(s);
            } catch (RuntimeException ignored) {
                // the listener only schedules the rebuild; the caller still gets the original error
            }
        }
        return e;
    }

    /**
     * Replaces a damaged events.db with a fresh one: the damaged file is moved aside (see {@link EventsDbFile#moveAside})
     * and the subscribers' positions start over, so each re-reads the journal from its start. Callers stop
     * the subscribers first and restart them after, so that no in-memory position survives the rebuild.
     * Returns where the damaged file went.
     */
    public synchronized Path rebuild(String problem) {
        statements.close();
        db.close(); // no checkpoint: the WAL goes aside with the file it belongs to
        Path aside;
        try {
            aside = EventsDbFile.moveAside(file, problem);
        } catch (RuntimeException e) {
            db = Database.openInternal(file.toString()); // it stays where it is, damaged: at least what still works, works
            statements = new EventsDbStatements(db);
            throw e;
        }
        db = EventsDbFile.open(file, tables);
        statements = new EventsDbStatements(db);
        return aside;
    }

    /** Whether the rows are being rebuilt from the journal (the marker is there): see {@link #rebuilt}. */
    public boolean rebuilding() {
        return Files.exists(EventsDbFile.marker(file));
    }

    /** The subscribers caught up with the journal: the marker goes. */
    public void rebuilt() {
        EventsDbFile.removeMarker(file);
    }

    /** What the rebuilding marker next to this events.db says, or null when none is there (for the shell). */
    public static String rebuildingNote(Path eventsDb) {
        return EventsDbFile.markerNote(eventsDb);
    }

    public Path file() {
        return file;
    }

    public List<TableSchema> tables() {
        return tables;
    }

    /** A subscriber's last committed journal record: index and capture time, and its last eid. */
    public record Position(long index, long captureNanos, long lastEid) {
        public static final Position START = new Position(-1, -1, 0);
    }

    public synchronized Position position(String subscriber) {
        QueryResult r;
        try {
            r = db.queryTrusted("SELECT journal_index, capture_nanos, last_eid FROM hostql_subscribers WHERE name = ?", subscriber);
        } catch (RuntimeException e) {
            throw noticed(e);
        }
        if (r.rows().isEmpty()) return Position.START;
        Object[] row = r.rows().get(0);
        return new Position((Long) row[0], (Long) row[1], (Long) row[2]);
    }

    /** Every subscriber's position, by name (what each has durably stored, whatever becomes of the journal). */
    public synchronized java.util.Map<String, Position> positions() {
        java.util.Map<String, Position> out = new java.util.TreeMap<>();
        try {
            for (Object[] r : db.queryTrusted("SELECT name, journal_index, capture_nanos, last_eid FROM hostql_subscribers").rows()) {
                out.put((String) r[0], new Position((Long) r[1], (Long) r[2], (Long) r[3]));
            }
        } catch (RuntimeException e) {
            throw noticed(e);
        }
        return out;
    }

    /** Rows per multi-row INSERT: fewer statement steps per row on the subscribers' hot path. */
    private static final int ROWS_PER_INSERT = 32;

    /** Inserts rows into tables during a {@link #commit}; rows are written in order. */
    public final class Batch {
        private final java.util.Map<String, List<Object[]>> pending = new java.util.LinkedHashMap<>();
        private final java.util.Map<String, TableSchema> schemas = new java.util.HashMap<>();

        private Batch() {}

        /** A row of one of the store's tables, eid included. */
        public void insert(Row row) {
            TableSchema table = row.table();
            schemas.putIfAbsent(table.name(), table);
            List<Object[]> rows = pending.computeIfAbsent(table.name(), n -> new ArrayList<>());
            rows.add(row.values());
            if (rows.size() == ROWS_PER_INSERT) flush(table, rows);
        }

        private void flush(TableSchema table, List<Object[]> rows) {
            if (rows.isEmpty()) return;
            int width = table.columns().size();
            if (rows.size() == ROWS_PER_INSERT) {
                Object[] params = new Object[width * rows.size()];
                for (int i = 0; i < rows.size(); i++) System.arraycopy(rows.get(i), 0, params, i * width, width);
                statements.insert(table, ROWS_PER_INSERT).run(params);
            } else {
                for (Object[] r : rows) statements.insert(table, 1).run(r);
            }
            rows.clear();
        }

        void finish() {
            pending.forEach((name, rows) -> flush(schemas.get(name), rows));
        }
    }

    /** Runs the inserts and records the subscriber's new position in one transaction. */
    public synchronized void commit(String subscriber, Position position, Consumer<Batch> work) {
        try {
            statements.begin();
        } catch (RuntimeException e) {
            throw noticed(e);
        }
        boolean ok = false;
        try {
            Batch batch = new Batch();
            work.accept(batch);
            batch.finish();
            statements.savePosition(subscriber, position);
            statements.commit();
            ok = true;
        } catch (RuntimeException e) {
            throw noticed(e);
        } finally {
            if (!ok) rollback();
        }
    }

    /** A failed ROLLBACK (the file is damaged, or no transaction is open) must not hide the error that caused it. */
    private void rollback() {
        try {
            db.executeTrusted("ROLLBACK");
        } catch (SqlException e) {
            noticed(e);
        }
    }

    /** Replaces a status table's content with one row, in one transaction. */
    public synchronized void replace(Row row) {
        TableSchema table = row.table();
        boolean ok = false;
        try {
            db.executeTrusted("BEGIN IMMEDIATE");
            try {
                db.executeTrusted("DELETE FROM \"" + table.name() + "\"");
                statements.insert(table, 1).run(row.values());
                db.executeTrusted("COMMIT");
                ok = true;
            } finally {
                if (!ok) rollback();
            }
        } catch (RuntimeException e) {
            throw noticed(e);
        }
    }

    /** What retention removed. */
    public record Retention(long expired, long overMax, long overBytes) {
        public long total() {
            return expired + overMax + overBytes;
        }
    }

    /** A table's own limits, instead of the store's (osquery's {@code --syslog_events_expiry} and {@code _max}); 0 disables one. */
    public record Limits(long expirySeconds, long maxRows) {}

    /**
     * Removes rows older than expirySeconds (by time), beyond maxRows per table (oldest first), and
     * then oldest rows while the file is over maxBytes. 0 disables a limit.
     */
    public Retention applyRetention(long expirySeconds, long maxRows, long maxBytes) {
        return applyRetention(new Limits(expirySeconds, maxRows), java.util.Map.of(), maxBytes);
    }

    /** As {@link #applyRetention(long, long, long)}, with the limits of the tables named in perTable their own. */
    public synchronized Retention applyRetention(Limits limits, java.util.Map<String, Limits> perTable, long maxBytes) {
        try {
            return EventsDbRetention.apply(db, tables, limits, perTable, maxBytes);
        } catch (RuntimeException e) {
            throw noticed(e);
        }
    }

    /** Bytes in use by pages holding data (the file minus its free list). */
    public synchronized long usedBytes() {
        try {
            return EventsDbRetention.usedBytes(db);
        } catch (RuntimeException e) {
            throw noticed(e);
        }
    }

    /** Trusted SQL on the store, for tests and maintenance. */
    public synchronized QueryResult query(String sql, Object... params) {
        try {
            return db.queryTrusted(sql, params);
        } catch (RuntimeException e) {
            throw noticed(e);
        }
    }

    @Override
    public synchronized void close() {
        statements.close();
        try {
            db.executeTrusted("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch (SqlException e) {
            org.slf4j.LoggerFactory.getLogger(EventStore.class).warn("events.db checkpoint at close failed: {}", e.getMessage());
        }
        db.close();
    }
}
