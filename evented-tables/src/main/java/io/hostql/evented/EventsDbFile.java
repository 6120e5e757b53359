package io.hostql.evented;

import io.hostql.sql.Database;
import io.hostql.sql.SqlException;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * events.db as a file: opening it (WAL, the schema), checking it ({@code PRAGMA quick_check}), moving a damaged one
 * aside, and the marker that says its rows are being rebuilt from the journal.
 */
final class EventsDbFile {
    /** The status log names the store, whichever of its parts speaks. */
    private static final Logger log = LoggerFactory.getLogger(EventStore.class);

    private EventsDbFile() {}

    static Database open(Path file, List<TableSchema> tables) {
        boolean fresh = !Files.exists(file);
        Database db = Database.openInternal(file.toString());
        try {
            if (fresh) db.executeTrusted("PRAGMA auto_vacuum = INCREMENTAL");
            db.executeTrusted("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
            EventsDbSchema.ensure(db, tables);
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
    static Path moveAside(Path file, String problem) {
        long now = System.currentTimeMillis();
        Path dir = file.toAbsolutePath().getParent().resolve(EventStore.DAMAGED_DIR);
        Path aside = dir.resolve(file.getFileName() + "." + now);
        try {
            Files.createDirectories(dir);
            for (String ext : new String[] {"", "-wal", "-shm"}) {
                Path f = Path.of(file + ext);
                if (Files.exists(f)) Files.move(f, Path.of(aside + ext));
            }
            Files.writeString(marker(file), "since " + java.time.Instant.ofEpochMilli(now)
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
    static String integrityProblem(Path file) {
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
    static String quickCheck(Database on) {
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

    static Path marker(Path file) {
        return file.resolveSibling(EventStore.REBUILDING_MARKER);
    }

    static void removeMarker(Path file) {
        try {
            Files.deleteIfExists(marker(file));
        } catch (java.io.IOException e) {
            log.warn("cannot remove {}: {}", marker(file), e.getMessage());
        }
    }

    /** What the rebuilding marker next to this events.db says, or null when none is there. */
    static String markerNote(Path eventsDb) {
        try {
            return Files.readString(marker(eventsDb)).strip();
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
