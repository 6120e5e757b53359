package io.hostql.evented;

import io.hostql.sql.Database;
import io.hostql.sql.QueryResult;
import io.hostql.sql.SqlException;
import io.hostql.sql.table.Column;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code <database_path>/events.db}: one real table per evented table (WAL, indexed on time), and
 * each subscriber's journal position, written in the same transaction as its rows so a restart
 * neither loses nor duplicates a row. One connection; transactions are serialised.
 */
public final class EventStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventStore.class);
    /** Written next to events.db while its rows are rebuilt from the journal; the shell reads it to explain failing queries. */
    public static final String REBUILDING_MARKER = "events.db.rebuilding";
    /** Where a damaged events.db (and its -wal and -shm) is moved, under the data dir. */
    public static final String DAMAGED_DIR = "damaged";

    private final Path file;
    private Database db;
    private final List<TableSchema> tables;
    private volatile Consumer<SqlException> corruptionListener = e -> {};

    private EventStore(Path file, Database db, List<TableSchema> tables) {
        this.file = file;
        this.db = db;
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
            problem = s.quickCheck(s.db);
            if (problem == null) return s;
            s.db.close();
        } catch (SqlException e) {
            if (!e.isCorruption()) throw e;
            problem = e.getMessage();
        }
        moveAside(file, problem);
        return openAs(file, tables);
    }

    private static EventStore openAs(Path file, List<TableSchema> tables) {
        return new EventStore(file, openDatabase(file, tables), List.copyOf(tables));
    }

    private static Database openDatabase(Path file, List<TableSchema> tables) {
        boolean fresh = !Files.exists(file);
        Database db = Database.openInternal(file.toString());
        try {
            if (fresh) db.executeTrusted("PRAGMA auto_vacuum = INCREMENTAL");
            db.executeTrusted("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
            db.executeTrusted("CREATE TABLE IF NOT EXISTS hostql_subscribers (name TEXT PRIMARY KEY, journal_index INTEGER,"
                    + " capture_nanos INTEGER, last_eid INTEGER, updated INTEGER)");
            for (TableSchema t : tables) ensureTable(db, t);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        return db;
    }

    /**
     * Moves a damaged events.db and its -wal and -shm to {@code <data>/damaged/events.db.<millis>}, leaves the
     * rebuilding marker, and says so: the fresh file's rows come back from the journal.
     */
    private static Path moveAside(Path file, String problem) {
        long now = System.currentTimeMillis();
        Path dir = file.toAbsolutePath().getParent().resolve(DAMAGED_DIR);
        Path aside = dir.resolve(file.getFileName() + "." + now);
        try {
            Files.createDirectories(dir);
            for (String ext : new String[] {"", "-wal", "-shm"}) {
                Path f = Path.of(file + ext);
                if (Files.exists(f)) Files.move(f, Path.of(aside + ext));
            }
            Files.writeString(file.resolveSibling(REBUILDING_MARKER), "since " + java.time.Instant.ofEpochMilli(now)
                    + ": " + file.getFileName() + " was damaged (" + problem + ") and moved aside to " + aside + "\n");
        } catch (java.io.IOException io) {
            throw new IllegalStateException("events.db is damaged (" + problem + ") and cannot be moved aside: " + io.getMessage(), io);
        }
        log.error("{} is damaged ({}); moved aside to {}; rebuilding its rows from the journal", file, problem, aside);
        return aside;
    }

    /**
     * {@code PRAGMA quick_check} on a connection of its own, read-only and opened for the check, so it reads
     * the file as it is on disk (not the writer's page cache) and never holds up the subscribers' commits.
     * Null when the file is sound; else what SQLite found.
     */
    public String integrityProblem() {
        return integrityProblem(file);
    }

    /** As {@link #integrityProblem()}, on any events.db (the benchmark times the daemon's check with it). */
    public static String integrityProblem(Path file) {
        String uri = "file:" + file.toAbsolutePath().toString().replace("%", "%25").replace("?", "%3f").replace("#", "%23") + "?mode=ro";
        Database check;
        try {
            check = Database.openInternal(uri);
        } catch (SqlException e) {
            return e.isCorruption() ? e.getMessage() : null; // gone or unreadable just now: not damage
        }
        try {
            return quickCheck(check);
        } finally {
            check.close();
        }
    }

    /** Null when {@code PRAGMA quick_check} says ok; else its first findings (or SQLite's error). */
    private static String quickCheck(Database on) {
        try {
            List<Object[]> rows = on.queryTrusted("PRAGMA quick_check(5)").rows();
            if (rows.size() == 1 && "ok".equals(rows.get(0)[0])) return null;
            List<String> found = new ArrayList<>();
            for (Object[] r : rows) found.add(String.valueOf(r[0]));
            return "PRAGMA quick_check: " + String.join("; ", found);
        } catch (SqlException e) {
            if (!e.isCorruption()) return null;
            return e.getMessage();
        }
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
     * Replaces a damaged events.db with a fresh one: the damaged file is moved aside (see {@link #moveAside})
     * and the subscribers' positions start over, so each re-reads the journal from its start. Callers stop
     * the subscribers first and restart them after, so that no in-memory position survives the rebuild.
     * Returns where the damaged file went.
     */
    public synchronized Path rebuild(String problem) {
        closeStatements();
        db.close(); // no checkpoint: the WAL goes aside with the file it belongs to
        Path aside;
        try {
            aside = moveAside(file, problem);
        } catch (RuntimeException e) {
            db = Database.openInternal(file.toString()); // it stays where it is, damaged: at least what still works, works
            throw e;
        }
        db = openDatabase(file, tables);
        return aside;
    }

    /** Whether the rows are being rebuilt from the journal (the marker is there): see {@link #rebuilt}. */
    public boolean rebuilding() {
        return Files.exists(file.resolveSibling(REBUILDING_MARKER));
    }

    /** The subscribers caught up with the journal: the marker goes. */
    public void rebuilt() {
        try {
            Files.deleteIfExists(file.resolveSibling(REBUILDING_MARKER));
        } catch (java.io.IOException e) {
            log.warn("cannot remove {}: {}", file.resolveSibling(REBUILDING_MARKER), e.getMessage());
        }
    }

    /** What the rebuilding marker next to this events.db says, or null when none is there (for the shell). */
    public static String rebuildingNote(Path eventsDb) {
        try {
            return Files.readString(eventsDb.resolveSibling(REBUILDING_MARKER)).strip();
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** Creates the table, or moves an older layout aside (keeping its rows) when the columns changed. */
    private static void ensureTable(Database db, TableSchema t) {
        QueryResult info = db.queryTrusted("PRAGMA table_info(\"" + t.name() + "\")");
        List<String> existing = new ArrayList<>();
        for (Object[] r : info.rows()) existing.add((String) r[1]);
        List<String> wanted = t.columns().stream().map(Column::name).toList();
        if (!existing.isEmpty() && existing.size() < wanted.size() && wanted.subList(0, existing.size()).equals(existing)) {
            // Columns added at the end (hostql's own, e.g. hostql_event_losses.estimate): the rows stay where they are.
            for (Column c : t.columns().subList(existing.size(), wanted.size())) {
                db.executeTrusted("ALTER TABLE \"" + t.name() + "\" ADD COLUMN \"" + c.name() + "\" " + c.type().sqlType());
            }
            log.info("events.db table {} gained columns {}", t.name(), wanted.subList(existing.size(), wanted.size()));
            existing = new ArrayList<>(wanted);
        }
        if (!existing.isEmpty() && !existing.equals(wanted)) {
            String old = t.name() + "_before_" + System.currentTimeMillis() / 1000;
            log.warn("events.db table {} has an older layout; renamed to {} and recreated", t.name(), old);
            db.executeTrusted("ALTER TABLE \"" + t.name() + "\" RENAME TO \"" + old + "\"");
            db.executeTrusted("DROP INDEX IF EXISTS \"" + t.name() + "_time\"; DROP INDEX IF EXISTS \"" + t.name() + "_eid\"");
            existing.clear();
        }
        if (existing.isEmpty()) db.executeTrusted(EventedTables.createTable(t, ""));
        db.executeTrusted(EventedTables.createIndexes(t, ""));
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
                statement(table, ROWS_PER_INSERT).run(params);
            } else {
                for (Object[] r : rows) statement(table, 1).run(r);
            }
            rows.clear();
        }

        void finish() {
            pending.forEach((name, rows) -> flush(schemas.get(name), rows));
        }
    }

    private final java.util.Map<String, Database.Statement> inserts = new java.util.HashMap<>();

    private Database.Statement statement(TableSchema table, int rows) {
        return inserts.computeIfAbsent(table.name() + "/" + rows, k -> {
            String one = "(" + String.join(", ", java.util.Collections.nCopies(table.columns().size(), "?")) + ")";
            return db.prepareTrusted("INSERT INTO \"" + table.name() + "\" VALUES "
                    + String.join(", ", java.util.Collections.nCopies(rows, one)));
        });
    }

    private Database.Statement saveState;
    /** Prepared once: parsing BEGIN and COMMIT again for every batch was a visible share of a subscriber's CPU. */
    private Database.Statement begin, end;

    /** Runs the inserts and records the subscriber's new position in one transaction. */
    public synchronized void commit(String subscriber, Position position, Consumer<Batch> work) {
        try {
            if (begin == null) {
                begin = db.prepareTrusted("BEGIN IMMEDIATE");
                end = db.prepareTrusted("COMMIT");
            }
            begin.execute();
        } catch (RuntimeException e) {
            throw noticed(e);
        }
        boolean ok = false;
        try {
            Batch batch = new Batch();
            work.accept(batch);
            batch.finish();
            if (saveState == null) {
                saveState = db.prepareTrusted("INSERT INTO hostql_subscribers VALUES (?, ?, ?, ?, strftime('%s','now'))"
                        + " ON CONFLICT(name) DO UPDATE SET journal_index = excluded.journal_index,"
                        + " capture_nanos = excluded.capture_nanos, last_eid = excluded.last_eid, updated = excluded.updated");
            }
            saveState.execute(subscriber, position.index(), position.captureNanos(), position.lastEid());
            end.execute();
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
                statement(table, 1).run(row.values());
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

    /**
     * Removes rows older than expirySeconds (by time), beyond maxRows per table (oldest first), and
     * then oldest rows while the file is over maxBytes. 0 disables a limit.
     */
    public synchronized Retention applyRetention(long expirySeconds, long maxRows, long maxBytes) {
        try {
            return retention(expirySeconds, maxRows, maxBytes);
        } catch (RuntimeException e) {
            throw noticed(e);
        }
    }

    private Retention retention(long expirySeconds, long maxRows, long maxBytes) {
        long expired = 0, overMax = 0, overBytes = 0;
        long now = System.currentTimeMillis() / 1000;
        for (TableSchema t : tables) {
            String n = "\"" + t.name() + "\"";
            if (expirySeconds > 0) expired += changes("DELETE FROM " + n + " WHERE time < ?", now - expirySeconds);
            if (maxRows > 0) {
                overMax += changes("DELETE FROM " + n + " WHERE rowid <= (SELECT rowid FROM " + n
                        + " ORDER BY rowid DESC LIMIT 1 OFFSET ?)", maxRows);
            }
        }
        if (maxBytes > 0) {
            for (int round = 0; round < 50 && usedBytes() > maxBytes; round++) {
                long removed = 0;
                for (TableSchema t : tables) {
                    String n = "\"" + t.name() + "\"";
                    removed += changes("DELETE FROM " + n + " WHERE rowid IN (SELECT rowid FROM " + n
                            + " ORDER BY rowid LIMIT (SELECT count(*) / 10 + 1 FROM " + n + "))");
                }
                overBytes += removed;
                if (removed == 0) break;
            }
        }
        if (expired + overMax + overBytes > 0) {
            db.executeTrusted("PRAGMA incremental_vacuum");
            log.info("events retention removed {} expired, {} over events_max, {} over the byte cap", expired, overMax, overBytes);
        }
        return new Retention(expired, overMax, overBytes);
    }

    private long changes(String sql, Object... params) {
        try (Database.Statement s = db.prepareTrusted(sql)) {
            return s.execute(params);
        }
    }

    /** Bytes in use by pages holding data (the file minus its free list). */
    public synchronized long usedBytes() {
        Object[] r;
        try {
            r = db.queryTrusted("SELECT (SELECT page_count FROM pragma_page_count()) - (SELECT freelist_count FROM pragma_freelist_count()),"
                + " (SELECT page_size FROM pragma_page_size())").rows().get(0);
        } catch (RuntimeException e) {
            throw noticed(e);
        }
        return (Long) r[0] * (Long) r[1];
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
        closeStatements();
        try {
            db.executeTrusted("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch (SqlException e) {
            log.warn("events.db checkpoint at close failed: {}", e.getMessage());
        }
        db.close();
    }

    private void closeStatements() {
        inserts.values().forEach(Database.Statement::close);
        inserts.clear();
        for (Database.Statement st : new Database.Statement[] {begin, end, saveState}) if (st != null) st.close();
        begin = end = saveState = null;
    }
}
