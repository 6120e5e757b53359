package io.hostql.loggers.delivery;

import io.hostql.events.Clock;
import io.hostql.events.EventType;
import io.hostql.events.Journal;
import io.hostql.events.JournalEntry;
import io.hostql.events.LogLineEvent;
import io.hostql.events.RecordTooLargeException;
import java.nio.file.Path;
import java.util.Set;

/**
 * The logger outbox: a second {@link Journal} under {@code <database_path>/outbox} holding every
 * line for the remote sinks. Reusing the journal gives it the same CRC framing, damage recovery,
 * wake-ups and consumer-aware retention as the event journal (one durable queue in hostql, not two);
 * each sink reads it with its own {@link Cursor}. A line is in the outbox once append() returns: a
 * {@code kill -9} after that keeps it (Chronicle writes through mapped memory).
 */
public final class Outbox implements AutoCloseable {
    static final Set<EventType> LINES = Set.of(EventType.LOG_LINE);

    private final Journal journal;
    private long seq, bytes;

    private Outbox(Journal journal) {
        this.journal = journal;
        JournalEntry last = journal.newest(LINES);
        if (last != null && last.event() instanceof LogLineEvent l) {
            seq = l.seq();
            bytes = l.bytesEnd();
        }
        // Retention may have removed the cycle of the newest line (every sink had read past it): numbering
        // continues after the highest position a sink saved, so backlogs stay a subtraction.
        try (java.util.stream.Stream<Path> cursors = java.nio.file.Files.list(journal.directory().resolve(SinkRunner.CURSORS))) {
            for (Path c : (Iterable<Path>) cursors::iterator) {
                if (c.getFileName().toString().endsWith(".tmp")) continue;
                try {
                    Cursor saved = Cursor.load(c);
                    seq = Math.max(seq, saved.seq());
                    bytes = Math.max(bytes, saved.bytesEnd());
                } catch (java.io.IOException e) {
                    // reported by that sink's runner
                }
            }
        } catch (java.io.IOException e) {
            // no cursors yet
        }
    }

    public static Outbox open(Path dir) {
        return new Outbox(Journal.open(dir));
    }

    public Path directory() {
        return journal.directory();
    }

    Journal journal() {
        return journal;
    }

    /**
     * Appends one line; returns its sequence number.
     *
     * @throws RecordTooLargeException for a line over one journal record ({@link Journal#MAX_EVENT_BYTES}): not appended, and
     *     its sequence number is not used (no gap)
     */
    public synchronized long append(LogLineEvent.Kind kind, byte[] line) {
        LogLineEvent e = new LogLineEvent(Clock.nowNanos(), seq + 1, bytes + line.length, kind, line);
        journal.append(e);
        seq = e.seq();
        bytes = e.bytesEnd();
        return seq;
    }

    /** The sequence number of the newest line (0: none yet). */
    public synchronized long lastSeq() {
        return seq;
    }

    /** Sum of the lengths of every line appended so far (up to {@link #lastSeq()}). */
    public synchronized long bytesEnd() {
        return bytes;
    }

    /** Removes outbox files every registered sink has read past. */
    void retention() {
        journal.applyRetention(1, 0);
    }

    @Override
    public void close() {
        journal.close();
    }
}
