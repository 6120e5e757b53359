package io.hostql.evented;

import io.hostql.sql.Database;
import io.hostql.sql.table.TableSchema;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The statements of the subscribers' hot path, prepared once per connection: the multi-row INSERTs per table,
 * BEGIN and COMMIT (parsing them again for every batch was a visible share of a subscriber's CPU) and the
 * position update. Closed with their connection (at a rebuild, at close).
 */
final class EventsDbStatements {
    private final Database db;
    private final Map<String, Database.Statement> inserts = new HashMap<>();
    private Database.Statement begin, end, savePosition;

    EventsDbStatements(Database db) {
        this.db = db;
    }

    /**
     * An INSERT of {@code rows} rows into the table, its columns named in declared order: a table that gained
     * columns by a migration has them last in the file ({@link EventsDbSchema}).
     */
    Database.Statement insert(TableSchema table, int rows) {
        return inserts.computeIfAbsent(table.name() + "/" + rows, k -> {
            String columns = table.columns().stream().map(c -> "\"" + c.name() + "\"").collect(Collectors.joining(", "));
            String one = "(" + String.join(", ", Collections.nCopies(table.columns().size(), "?")) + ")";
            return db.prepareTrusted("INSERT INTO \"" + table.name() + "\" (" + columns + ") VALUES "
                    + String.join(", ", Collections.nCopies(rows, one)));
        });
    }

    void begin() {
        if (begin == null) begin = db.prepareTrusted("BEGIN IMMEDIATE");
        begin.execute();
    }

    void commit() {
        if (end == null) end = db.prepareTrusted("COMMIT");
        end.execute();
    }

    void savePosition(String subscriber, EventStore.Position position) {
        if (savePosition == null) {
            savePosition = db.prepareTrusted("INSERT INTO hostql_subscribers VALUES (?, ?, ?, ?, strftime('%s','now'))"
                    + " ON CONFLICT(name) DO UPDATE SET journal_index = excluded.journal_index,"
                    + " capture_nanos = excluded.capture_nanos, last_eid = excluded.last_eid, updated = excluded.updated");
        }
        savePosition.execute(subscriber, position.index(), position.captureNanos(), position.lastEid());
    }

    void close() {
        inserts.values().forEach(Database.Statement::close);
        inserts.clear();
        for (Database.Statement st : new Database.Statement[] {begin, end, savePosition}) if (st != null) st.close();
        begin = end = savePosition = null;
    }
}
