package io.hostql.shell;

import io.hostql.evented.EventStore;
import io.hostql.sql.Database;
import io.hostql.sql.SqlException;
import java.nio.file.Path;

/**
 * What the shell says when a query on a daemon's events.db finds it damaged: hostqld moves such a file aside
 * and rebuilds it from its journal, leaving a marker meanwhile ({@link EventStore#REBUILDING_MARKER}).
 */
final class EventsDbNotice {
    private EventsDbNotice() {}

    /** A warning at attach time while a rebuild runs, else null. */
    static String whileRebuilding(Path eventsDb) {
        String note = EventStore.rebuildingNote(eventsDb);
        return note == null ? null
                : "hostqld is rebuilding " + eventsDb + " from its journal (" + note + "); evented tables are incomplete until it finishes";
    }

    /**
     * The message for a failed statement: SQLite's own unless the attached events.db is damaged. Then the
     * current events.db is attached again, so that the next query reads the rebuilt file rather than the one
     * moved aside.
     */
    static String explain(SqlException e, Database db, Path eventsDb) {
        if (!e.isCorruption()) return e.getMessage();
        try {
            db.executeTrusted("DETACH DATABASE events");
            db.attachReadOnly(eventsDb, "events");
        } catch (SqlException again) {
            // still being replaced: the next failure tries again
        }
        String note = EventStore.rebuildingNote(eventsDb);
        if (note != null) {
            return "events.db is being rebuilt by hostqld from its journal (" + note + "); evented tables are incomplete until it"
                    + " finishes: run the query again in a moment";
        }
        return e.getMessage() + ": " + eventsDb + " is damaged; hostqld moves it aside and rebuilds it from its journal at its next"
                + " check (events_integrity_check_interval); run the query again then";
    }
}
