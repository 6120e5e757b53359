package io.hostql.subscribers;

import io.hostql.events.EventType;
import io.hostql.events.Journal;
import io.hostql.events.JournalEntry;
import io.hostql.evented.EventStore;
import io.hostql.evented.Row;
import io.hostql.sql.table.TableSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A named journal consumer: reads entries in order, turns them into rows, and commits the rows
 * with its journal position in one SQLite transaction, so a restart neither loses nor duplicates
 * a row. A bad event is logged and skipped; a failed commit is retried with a backoff ({@link CommitRetry}), never skipped.
 */
public abstract class Subscriber implements AutoCloseable {
    private static final int BATCH = 512;
    /**
     * How long a subscriber sleeps when nothing of its types arrives. Then it reads past the other types'
     * records in one batch: reading past them at each append was a busy journal's cost for every
     * subscriber, and each wake-up costs about 0.2 ms of CPU on the benchmark VM.
     */
    private static final long WAIT_NANOS = 5_000_000_000L;
    /**
     * After a partial batch that followed another closely, wait this long before reading on, so that the next
     * commit carries several events: one SQLite commit per event was most of a busy subscriber's cost, and at
     * 100 execs/s a commit every 50 ms still was (issue 15). A batch after a quiet spell (this long with nothing
     * to read) is followed by none, so sporadic events are rows at once; during a stream an event is a row at
     * most this much later (with the audit reader's linger, an exec within about 0.3 s).
     */
    private static final long LINGER_NANOS = 200_000_000L;
    /**
     * A batch that made no rows commits its position at most this often: re-reading such records after
     * a crash makes no rows either, and a commit per batch was most of an idle subscriber's cost.
     */
    private static final long ROWLESS_COMMIT_NANOS = 5_000_000_000L;

    protected final Logger log = LoggerFactory.getLogger(getClass());
    private final String name;
    private final Journal journal;
    private final EventStore store;
    private volatile boolean running;
    private Thread thread;
    private final AtomicLong events = new AtomicLong(), rows = new AtomicLong(), errors = new AtomicLong();
    private volatile long lastEid;
    private final List<RowListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    protected Subscriber(String name, Journal journal, EventStore store) {
        this.name = name;
        this.retry = new CommitRetry(log, name);
        this.journal = journal;
        this.store = store;
    }

    public String name() {
        return name;
    }

    /** Called before the entries of a batch are handled (a subscriber may cache per batch). */
    protected void batchStarted() {}

    /** Rows for one journal entry; most entries of other types produce none. */
    protected abstract void handle(JournalEntry entry, Rows out) throws Exception;

    /**
     * The event types this subscriber turns into rows (null: all). Records of other types reach
     * {@link #handle} undecoded, as {@link io.hostql.events.SkippedEvent}s.
     */
    protected Set<EventType> types() {
        return null;
    }

    /** Collects a batch's rows; eids are assigned in order, osquery-style (10-digit, zero-padded). */
    public final class Rows {
        final List<Row> rows = new ArrayList<>();
        long eid;
        /** Rows before this one are replayed (listeners were told of them before events.db was rebuilt). */
        int firstNew;

        Rows(long eid) {
            this.eid = eid;
        }

        /** A row filled by column name (see {@link io.hostql.evented}); its eid is assigned here, in order. */
        public void add(Row row) {
            row.eid(eidText(++eid));
            rows.add(row);
        }
    }

    /** osquery's eid text: 10 digits, zero-padded (String.format's parsing cost more than the rest of a row). */
    static String eidText(long eid) {
        String s = Long.toString(eid);
        return s.length() >= 10 ? s : "0000000000".substring(s.length()) + s;
    }

    /** Called after each commit with the rows just made durable (the alert engine listens here). */
    public interface RowListener {
        void committed(TableSchema table, List<Object[]> rows);
    }

    public void addListener(RowListener l) {
        listeners.add(l);
    }

    public synchronized void start() {
        if (running) return;
        running = true;
        thread = new Thread(this::run, "hostql-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        journal.registerConsumer(name);
        EventStore.Position pos = store.position(name);
        // Restarted after events.db was rebuilt: nothing of the old run's position survives (the journal keeps
        // every record again until this run acknowledges).
        uncommitted = null;
        journal.acknowledge(name, pos.index());
        lastEid = pos.lastEid();
        Set<EventType> wakeFor = types();
        try (Journal.Reader reader = journal.reader(wakeFor)) {
            if (pos.index() >= 0) {
                reader.resumeAfter(pos.index(), pos.captureNanos());
                journal.acknowledge(name, pos.index());
            }
            List<JournalEntry> batch = new ArrayList<>(BATCH);
            long quietNanos = LINGER_NANOS; // how long it waited with nothing to read before this batch (the start counts as quiet)
            while (running) {
                long seen = journal.appendedCount(wakeFor);
                batch.clear();
                for (JournalEntry e; batch.size() < BATCH && (e = reader.next()) != null; ) batch.add(e);
                if (batch.isEmpty()) {
                    if (uncommitted != null && System.nanoTime() - lastCommit >= ROWLESS_COMMIT_NANOS) commit(uncommitted, new Rows(lastEid));
                    // Woken by the next append of a type it turns into rows; the timeout covers the other types (read
                    // past in one batch), records this process did not append (a journal recovered at start), and
                    // rowless positions still to commit.
                    long waitStart = System.nanoTime();
                    journal.awaitAppend(wakeFor, seen, uncommitted != null ? ROWLESS_COMMIT_NANOS : WAIT_NANOS);
                    quietNanos += System.nanoTime() - waitStart;
                    continue;
                }
                process(batch);
                boolean afterQuiet = quietNanos >= LINGER_NANOS;
                quietNanos = 0;
                if (batch.size() < BATCH && !afterQuiet) LockSupport.parkNanos(LINGER_NANOS);
            }
            // A clean stop leaves the position current, read on past records of other types (they make no rows
            // here): records already in the tables are then not counted lost if the journal is damaged later.
            Thread.interrupted(); // close() interrupts the wait; this reading is the last thing the thread does
            JournalEntry last = skipOtherTypes(reader, uncommitted);
            uncommitted = null;
            if (last != null) {
                try {
                    store.commit(name, new EventStore.Position(last.index(), last.event().captureNanos(), lastEid), b -> {});
                } catch (RuntimeException e) {
                    log.debug("subscriber {} could not store its last position at stop: {}", name, e.toString());
                }
            }
        } catch (Throwable t) {
            if (!running) return; // stopping
            // A subscriber that stops leaves its table silently stale: the thread dies on, and hostqld's uncaught-exception
            // handler ends the process non-zero so that systemd restarts it (io.hostql.daemon.Fatal).
            log.error("subscriber {} failed; its table is no longer filled: {}", name, t.toString(), t);
            throw t;
        }
    }

    /** The last of the records of other types that follow (bounded to a second), or {@code last} when none does. */
    private static JournalEntry skipOtherTypes(Journal.Reader reader, JournalEntry last) {
        long until = System.nanoTime() + 1_000_000_000L;
        for (JournalEntry e; System.nanoTime() < until && (e = reader.next()) != null; ) {
            if (!(e.event() instanceof io.hostql.events.SkippedEvent)) break; // a record of its own: read again at the next start
            last = e;
        }
        return last;
    }

    /** Records up to this journal index are re-read after events.db was rebuilt: their rows are not told to listeners again. */
    private volatile long replayUntil = -1;

    /** Before a restart after events.db was rebuilt: rows of records up to index reach the table, not the alert rules again. */
    public void replayQuietlyUntil(long index) {
        replayUntil = index;
    }

    private long lastCommit;
    private final CommitRetry retry;
    /** The last record of rowless batches whose position is not committed yet. */
    private JournalEntry uncommitted;

    private void process(List<JournalEntry> batch) {
        batchStarted();
        Rows out = new Rows(lastEid);
        for (JournalEntry e : batch) {
            try {
                handle(e, out);
            } catch (Exception ex) {
                errors.incrementAndGet();
                log.warn("subscriber {} skipped journal record {}: {}", name, Long.toHexString(e.index()), ex.toString());
            }
            if (e.index() <= replayUntil) out.firstNew = out.rows.size();
        }
        JournalEntry last = batch.get(batch.size() - 1);
        events.addAndGet(batch.size());
        if (out.rows.isEmpty() && System.nanoTime() - lastCommit < ROWLESS_COMMIT_NANOS) {
            uncommitted = last;
            return;
        }
        commit(last, out);
    }

    /** Commits the rows and the position after {@code last}; retried until it works or the subscriber stops. */
    private void commit(JournalEntry last, Rows out) {
        uncommitted = null;
        EventStore.Position next = new EventStore.Position(last.index(), last.event().captureNanos(), out.eid);
        boolean committed = false;
        while (running && !committed) {
            try {
                store.commit(name, next, b -> {
                    for (Row row : out.rows) b.insert(row);
                });
                committed = true;
                retry.succeeded();
            } catch (RuntimeException ex) {
                errors.incrementAndGet();
                retry.failed(ex);
            }
        }
        if (!committed) return; // stopping: the batch stays in the journal, read again after the restart
        lastCommit = System.nanoTime();
        lastEid = out.eid;
        rows.addAndGet(out.rows.size());
        journal.acknowledge(name, last.index());
        if (!listeners.isEmpty() && !out.rows.isEmpty()) notifyListeners(out);
    }

    private void notifyListeners(Rows out) {
        java.util.Map<TableSchema, List<Object[]>> byTable = new java.util.LinkedHashMap<>();
        for (Row row : out.rows.subList(out.firstNew, out.rows.size())) byTable.computeIfAbsent(row.table(), t -> new ArrayList<>()).add(row.values());
        if (byTable.isEmpty()) return;
        for (RowListener l : listeners) {
            byTable.forEach((t, r) -> {
                try {
                    l.committed(t, r);
                } catch (RuntimeException ex) {
                    log.warn("row listener failed on {}: {}", t.name(), ex.toString());
                }
            });
        }
    }

    /** Whether its commits fail now (events.db full or read-only): they are being retried. */
    public boolean commitsFailing() {
        return retry.failing();
    }

    public record Stats(String name, long events, long rows, long errors, boolean active) {}

    public Stats stats() {
        return new Stats(name, events.get(), rows.get(), errors.get(), running);
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
