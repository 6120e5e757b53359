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
}
