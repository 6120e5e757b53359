package io.hostql.evented;

import io.hostql.sql.Database;
import io.hostql.sql.table.TableSchema;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Retention of events.db's rows: by age, by count per table, and by the file's bytes in use. */
final class EventsDbRetention {
    /** The status log names the store, whichever of its parts speaks. */
    private static final Logger log = LoggerFactory.getLogger(EventStore.class);

    private EventsDbRetention() {}

    /**
     * Removes rows older than the limits' expiry (by time), beyond their rows per table (oldest first), a table named
     * in perTable by its own limits, and then oldest rows while the file is over maxBytes. 0 disables a limit.
     */
    static EventStore.Retention apply(Database db, List<TableSchema> tables, EventStore.Limits limits,
            Map<String, EventStore.Limits> perTable, long maxBytes) {
        long expired = 0, overMax = 0, overBytes = 0;
        long now = System.currentTimeMillis() / 1000;
        for (TableSchema t : tables) {
            String n = "\"" + t.name() + "\"";
            EventStore.Limits own = perTable.getOrDefault(t.name(), limits);
            long expirySeconds = own.expirySeconds(), maxRows = own.maxRows();
            if (expirySeconds > 0) expired += changes(db, "DELETE FROM " + n + " WHERE time < ?", now - expirySeconds);
            if (maxRows > 0) {
                overMax += changes(db, "DELETE FROM " + n + " WHERE rowid <= (SELECT rowid FROM " + n
                        + " ORDER BY rowid DESC LIMIT 1 OFFSET ?)", maxRows);
            }
        }
        if (maxBytes > 0) {
            for (int round = 0; round < 50 && usedBytes(db) > maxBytes; round++) {
                long removed = 0;
                for (TableSchema t : tables) {
                    String n = "\"" + t.name() + "\"";
                    removed += changes(db, "DELETE FROM " + n + " WHERE rowid IN (SELECT rowid FROM " + n
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
        return new EventStore.Retention(expired, overMax, overBytes);
    }

    private static long changes(Database db, String sql, Object... params) {
        try (Database.Statement s = db.prepareTrusted(sql)) {
            return s.execute(params);
        }
    }

    /** Bytes in use by pages holding data (the file minus its free list). */
    static long usedBytes(Database db) {
        Object[] r = db.queryTrusted("SELECT (SELECT page_count FROM pragma_page_count()) - (SELECT freelist_count FROM pragma_freelist_count()),"
                + " (SELECT page_size FROM pragma_page_size())").rows().get(0);
        return (Long) r[0] * (Long) r[1];
    }
}
