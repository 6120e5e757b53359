package io.hostql.evented;

import io.hostql.sql.Database;
import io.hostql.sql.QueryResult;
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

    private final Path file;
    private final Database db;
    private final List<TableSchema> tables;

    private EventStore(Path file, Database db, List<TableSchema> tables) {
        this.file = file;
        this.db = db;
        this.tables = tables;
    }

    public static EventStore open(Path file, List<TableSchema> tables) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create " + file.getParent() + ": " + e.getMessage(), e);
        }
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
        return new EventStore(file, db, List.copyOf(tables));
    }

    /** Creates the table, or moves an older layout aside (keeping its rows) when the columns changed. */
    private static void ensureTable(Database db, TableSchema t) {
        QueryResult info = db.queryTrusted("PRAGMA table_info(\"" + t.name() + "\")");
        List<String> existing = new ArrayList<>();
        for (Object[] r : info.rows()) existing.add((String) r[1]);
        List<String> wanted = t.columns().stream().map(Column::name).toList();
        if (!existing.isEmpty() && !existing.equals(wanted)) {
            String old = t.name() + "_before_" + System.currentTimeMillis() / 1000;
            log.warn("events.db table {} has an older layout; renamed to {} and recreated", t.name(), old);
            db.executeTrusted("ALTER TABLE \"" + t.name() + "\" RENAME TO \"" + old + "\"");
            db.executeTrusted("DROP INDEX IF EXISTS \"" + t.name() + "_time\"");
            existing.clear();
        }
        if (existing.isEmpty()) {
            StringBuilder ddl = new StringBuilder("CREATE TABLE \"").append(t.name()).append("\" (");
            for (int i = 0; i < t.columns().size(); i++) {
                Column c = t.columns().get(i);
                if (i > 0) ddl.append(", ");
                ddl.append('"').append(c.name()).append("\" ").append(c.type().sqlType());
            }
            db.executeTrusted(ddl.append(')').toString());
        }
        db.executeTrusted("CREATE INDEX IF NOT EXISTS \"" + t.name() + "_time\" ON \"" + t.name() + "\"(time)");
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
        QueryResult r = db.queryTrusted("SELECT journal_index, capture_nanos, last_eid FROM hostql_subscribers WHERE name = ?", subscriber);
        if (r.rows().isEmpty()) return Position.START;
        Object[] row = r.rows().get(0);
        return new Position((Long) row[0], (Long) row[1], (Long) row[2]);
    }

    /** Inserts rows into tables during a {@link #commit}. */
    public final class Batch {
        private final java.util.Map<String, Database.Statement> inserts;

        private Batch(java.util.Map<String, Database.Statement> inserts) {
            this.inserts = inserts;
        }

        /** values in the table's column order (eid included). */
        public void insert(TableSchema table, Object[] values) {
            inserts.computeIfAbsent(table.name(), n -> {
                String marks = String.join(", ", java.util.Collections.nCopies(table.columns().size(), "?"));
                return db.prepareTrusted("INSERT INTO \"" + n + "\" VALUES (" + marks + ")");
            }).execute(values);
        }
    }

    private final java.util.Map<String, Database.Statement> inserts = new java.util.HashMap<>();
    private Database.Statement saveState;
    /** Prepared once: parsing BEGIN and COMMIT again for every batch was a visible share of a subscriber's CPU. */
    private Database.Statement begin, end;

    /** Runs the inserts and records the subscriber's new position in one transaction. */
    public synchronized void commit(String subscriber, Position position, Consumer<Batch> work) {
        if (begin == null) {
            begin = db.prepareTrusted("BEGIN IMMEDIATE");
            end = db.prepareTrusted("COMMIT");
        }
        begin.execute();
        boolean ok = false;
        try {
            work.accept(new Batch(inserts));
            if (saveState == null) {
                saveState = db.prepareTrusted("INSERT INTO hostql_subscribers VALUES (?, ?, ?, ?, strftime('%s','now'))"
                        + " ON CONFLICT(name) DO UPDATE SET journal_index = excluded.journal_index,"
                        + " capture_nanos = excluded.capture_nanos, last_eid = excluded.last_eid, updated = excluded.updated");
            }
            saveState.execute(subscriber, position.index(), position.captureNanos(), position.lastEid());
            end.execute();
            ok = true;
        } finally {
            if (!ok) db.executeTrusted("ROLLBACK");
        }
    }

    /** Replaces a status table's content with one row (values in column order), in one transaction. */
    public synchronized void replace(TableSchema table, Object[] row) {
        db.executeTrusted("BEGIN IMMEDIATE");
        boolean ok = false;
        try {
            db.executeTrusted("DELETE FROM \"" + table.name() + "\"");
            new Batch(inserts).insert(table, row);
            db.executeTrusted("COMMIT");
            ok = true;
        } finally {
            if (!ok) db.executeTrusted("ROLLBACK");
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
        Object[] r = db.queryTrusted("SELECT (SELECT page_count FROM pragma_page_count()) - (SELECT freelist_count FROM pragma_freelist_count()),"
                + " (SELECT page_size FROM pragma_page_size())").rows().get(0);
        return (Long) r[0] * (Long) r[1];
    }

    /** Trusted SQL on the store, for tests and maintenance. */
    public synchronized QueryResult query(String sql, Object... params) {
        return db.queryTrusted(sql, params);
    }

    @Override
    public synchronized void close() {
        inserts.values().forEach(Database.Statement::close);
        inserts.clear();
        for (Database.Statement st : new Database.Statement[] {begin, end}) if (st != null) st.close();
        begin = end = null;
        if (saveState != null) saveState.close();
        db.executeTrusted("PRAGMA wal_checkpoint(TRUNCATE)");
        db.close();
    }
}
