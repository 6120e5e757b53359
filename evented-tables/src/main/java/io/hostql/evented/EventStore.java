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

    /**
     * Opens events.db. A damaged file (not a database, malformed) is moved aside and a fresh one made:
     * the rows are rebuilt from the journal, since the subscribers' positions go with the file.
     */
    public static EventStore open(Path file, List<TableSchema> tables) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create " + file.getParent() + ": " + e.getMessage(), e);
        }
        try {
            return openAs(file, tables);
        } catch (io.hostql.sql.SqlException e) {
            String m = String.valueOf(e.getMessage());
            if (!m.contains("malformed") && !m.contains("not a database") && !m.contains("corrupt")) throw e;
            String suffix = ".damaged." + System.currentTimeMillis();
            for (String ext : new String[] {"", "-wal", "-shm"}) {
                Path f = Path.of(file + ext);
                try {
                    if (Files.exists(f)) Files.move(f, Path.of(file + ext + suffix));
                } catch (java.io.IOException io) {
                    throw new IllegalStateException("events.db is damaged (" + m + ") and cannot be moved aside: " + io.getMessage(), io);
                }
            }
            log.error("{} is damaged ({}); moved aside as {}; its rows are rebuilt from the journal", file, m, file + suffix);
            return openAs(file, tables);
        }
    }

    private static EventStore openAs(Path file, List<TableSchema> tables) {
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
            db.executeTrusted("DROP INDEX IF EXISTS \"" + t.name() + "_time\"; DROP INDEX IF EXISTS \"" + t.name() + "_eid\"");
            existing.clear();
        }
        if (existing.isEmpty()) db.executeTrusted(createTable(t, ""));
        db.executeTrusted(createIndexes(t, ""));
    }

    /** The table's DDL in a schema ("" for main): the same layout wherever the table is made. */
    public static String createTable(TableSchema t, String schema) {
        StringBuilder ddl = new StringBuilder("CREATE TABLE ").append(schema.isEmpty() ? "" : schema + ".").append('"').append(t.name()).append("\" (");
        for (int i = 0; i < t.columns().size(); i++) {
            Column c = t.columns().get(i);
            if (i > 0) ddl.append(", ");
            ddl.append('"').append(c.name()).append("\" ").append(c.type().sqlType());
        }
        return ddl.append(')').toString();
    }

    /**
     * The time index (time windows) and the eid index (the scheduler reads each event once by eid,
     * which only grows, unlike rowid, which restarts when retention empties a table).
     */
    public static String createIndexes(TableSchema t, String schema) {
        String p = schema.isEmpty() ? "" : schema + ".";
        StringBuilder sql = new StringBuilder();
        for (String column : new String[] {"time", "eid"}) {
            if (t.indexOf(column) < 0) continue; // a status table (hostql_audit_status) has neither
            sql.append("CREATE INDEX IF NOT EXISTS ").append(p).append('"').append(t.name()).append('_').append(column)
                    .append("\" ON \"").append(t.name()).append("\"(").append(column).append(");");
        }
        return sql.length() == 0 ? "SELECT 1" : sql.toString();
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

    /** Rows per multi-row INSERT: fewer statement steps per row on the subscribers' hot path. */
    private static final int ROWS_PER_INSERT = 32;

    /** Inserts rows into tables during a {@link #commit}; rows are written in order. */
    public final class Batch {
        private final java.util.Map<String, List<Object[]>> pending = new java.util.LinkedHashMap<>();
        private final java.util.Map<String, TableSchema> schemas = new java.util.HashMap<>();

        private Batch() {}

        /** values in the table's column order (eid included). */
        public void insert(TableSchema table, Object[] values) {
            schemas.putIfAbsent(table.name(), table);
            List<Object[]> rows = pending.computeIfAbsent(table.name(), n -> new ArrayList<>());
            rows.add(values);
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
        if (begin == null) {
            begin = db.prepareTrusted("BEGIN IMMEDIATE");
            end = db.prepareTrusted("COMMIT");
        }
        begin.execute();
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
        } catch (RuntimeException | Error e) {
            // SQLite has already rolled back on SQLITE_FULL and some SQLITE_IOERRs: ROLLBACK then fails with "no transaction
            // is active", which must not replace the real cause (the subscriber's status line names it).
            try {
                db.executeTrusted("ROLLBACK");
            } catch (RuntimeException r) {
                e.addSuppressed(r);
            }
            throw e;
        }
    }

    /** Replaces a status table's content with one row (values in column order), in one transaction. */
    public synchronized void replace(TableSchema table, Object[] row) {
        db.executeTrusted("BEGIN IMMEDIATE");
        boolean ok = false;
        try {
            db.executeTrusted("DELETE FROM \"" + table.name() + "\"");
            statement(table, 1).run(row);
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
