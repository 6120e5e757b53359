package io.hostql.evented;

import io.hostql.sql.Database;
import io.hostql.sql.QueryResult;
import io.hostql.sql.table.Column;
import io.hostql.sql.table.TableSchema;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** events.db's tables: the subscribers' positions and one table per evented table, brought to the declared layout. */
final class EventsDbSchema {
    /** The status log names the store, whichever of its parts speaks. */
    private static final Logger log = LoggerFactory.getLogger(EventStore.class);

    private EventsDbSchema() {}

    static void ensure(Database db, List<TableSchema> tables) {
        db.executeTrusted("CREATE TABLE IF NOT EXISTS hostql_subscribers (name TEXT PRIMARY KEY, journal_index INTEGER,"
                + " capture_nanos INTEGER, last_eid INTEGER, updated INTEGER)");
        for (TableSchema t : tables) ensureTable(db, t);
    }

    /**
     * Creates the table, or brings an existing one to the declaration. One rule for every table: columns the
     * declaration gained are added (ALTER TABLE ... ADD COLUMN; the rows stay, NULL in them, and the new columns
     * come last in the file, which the inserts, naming their columns, do not mind); a table with a column the
     * declaration lacks (removed or renamed) is moved aside with its rows and made anew. A declared type is not
     * migrated: SQLite gives BIGINT and UNSIGNED BIGINT the same (integer) affinity, so the values are the same.
     */
    private static void ensureTable(Database db, TableSchema t) {
        QueryResult info = db.queryTrusted("PRAGMA table_info(\"" + t.name() + "\")");
        List<String> existing = new ArrayList<>();
        for (Object[] r : info.rows()) existing.add((String) r[1]);
        List<String> wanted = t.columns().stream().map(Column::name).toList();
        if (!existing.isEmpty() && !wanted.containsAll(existing)) {
            String old = t.name() + "_before_" + System.currentTimeMillis() / 1000;
            log.warn("events.db table {} has columns no longer declared; renamed to {} and recreated", t.name(), old);
            db.executeTrusted("ALTER TABLE \"" + t.name() + "\" RENAME TO \"" + old + "\"");
            db.executeTrusted("DROP INDEX IF EXISTS \"" + t.name() + "_time\"; DROP INDEX IF EXISTS \"" + t.name() + "_eid\"");
            existing.clear();
        }
        if (existing.isEmpty()) {
            db.executeTrusted(EventedTables.createTable(t, ""));
        } else if (existing.size() < wanted.size()) {
            List<String> added = new ArrayList<>();
            for (Column c : t.columns()) {
                if (existing.contains(c.name())) continue;
                db.executeTrusted("ALTER TABLE \"" + t.name() + "\" ADD COLUMN \"" + c.name() + "\" " + c.type().sqlType());
                added.add(c.name());
            }
            log.info("events.db table {} gained columns {}", t.name(), added);
        }
        db.executeTrusted(EventedTables.createIndexes(t, ""));
    }
}
