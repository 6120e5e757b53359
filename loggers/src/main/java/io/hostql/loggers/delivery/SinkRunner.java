package io.hostql.loggers.delivery;

import io.hostql.events.Clock;
import io.hostql.events.EventSink;
import io.hostql.events.Journal;
import io.hostql.events.JournalEntry;
import io.hostql.events.LogLineEvent;
import io.hostql.events.LossEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sink's delivery thread: reads the outbox from the sink's cursor, hands batches to the sink, and
 * moves the cursor (fsync'd) only after the sink returned, so every line is delivered at least once
 * and only the batch in flight at a crash can arrive twice. While the sink fails it retries the same
 * batch with exponential back-off and jitter, saying once that the sink is down and once that it is
 * back. Past the bound (lines or bytes waiting for this sink) it drops the oldest lines for this sink
 * only, and writes a loss record naming it. Nothing here blocks the scheduler, the alerts or another
 * sink: they only append to the outbox.
 */
public final class SinkRunner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SinkRunner.class);
    static final long BACKOFF_FIRST_MS = 1000;
    static final String CURSORS = "cursors";

    /** Bounds: lines and bytes waiting for one sink (0: unbounded), the size of one batch, the longest retry pause. */
    public record Limits(long maxLines, long maxBytes, int batchLines, long batchBytes, long backoffMaxMillis) {
        public static final Limits DEFAULT = new Limits(1_000_000, 1L << 30, 1000, 1 << 20, 60_000);
    }

    /** A row of hostql_logger_status. */
    public record Status(String plugin, String target, String state, long delivered, long pending, long dropped,
            String lastError, long lastSuccess) {}

    private final Sink sink;
    private final Outbox outbox;
    private final EventSink losses;
    private final Limits limits;
    private final Path cursorFile;
    private final Thread thread;
    private volatile Cursor cursor;
    private volatile boolean closed;
    private volatile String state = "starting", lastError = "";
    private volatile long lastSuccess, downSince;
    private boolean cursorSaveFailed;

    SinkRunner(Sink sink, Outbox outbox, EventSink losses, Limits limits) throws IOException {
        this.sink = sink;
        this.outbox = outbox;
        this.losses = losses;
        this.limits = limits;
        this.cursorFile = outbox.directory().resolve(CURSORS).resolve(sink.plugin());
        Files.createDirectories(cursorFile.getParent());
        this.cursor = initialCursor();
        if (cursor.index() >= 0) outbox.journal().acknowledge(sink.plugin(), cursor.index());
        else outbox.journal().registerConsumer(sink.plugin());
        this.thread = new Thread(this::loop, "hostql-logger-" + sink.plugin());
        this.thread.setDaemon(true);
    }

    /** The saved cursor; a new sink starts at the outbox's end (it takes the lines logged from now on). */
    private Cursor initialCursor() throws IOException {
        if (Files.exists(cursorFile)) {
            try {
                return Cursor.load(cursorFile);
            } catch (IOException e) {
                // Resending everything the outbox holds duplicates lines; starting at the end would lose them.
                log.error("logger {}: {}; resending every line the outbox holds", sink.plugin(), e.getMessage());
                return Cursor.START;
            }
        }
        JournalEntry newest = outbox.journal().newest(null);
        Cursor c = Cursor.START;
        if (newest != null) {
            JournalEntry line = outbox.journal().newest(Outbox.LINES);
            LogLineEvent l = line == null ? null : (LogLineEvent) line.event();
            c = new Cursor(newest.index(), newest.event().captureNanos(), l == null ? 0 : l.seq(), l == null ? 0 : l.bytesEnd(), 0, 0);
        }
        c.save(cursorFile);
        return c;
    }

    void start() {
        thread.start();
    }

    Sink sink() {
        return sink;
    }

    boolean sinkTakesStatus() {
        return sink.takesStatus();
    }

    public Status status() {
        Cursor c = cursor;
        return new Status(sink.plugin(), sink.target(), state, c.delivered(), Math.max(0, outbox.lastSeq() - c.seq()), c.dropped(),
                lastError, lastSuccess);
    }

    /** What one pass read from the outbox: the lines this sink takes, and where the pass ended. */
    private static final class Batch {
        final List<LogLineEvent> lines = new ArrayList<>();
        final List<JournalEntry> entries = new ArrayList<>(); // the entry of each line, for a cursor inside the batch
        JournalEntry last;
        long seq, bytesEnd, bytes;
        final List<LossEvent> damage = new ArrayList<>();

        boolean isEmpty() {
            return last == null;
        }
    }

    private void loop() {
        try (Journal.Reader reader = outbox.journal().reader(Outbox.LINES)) {
            Cursor c = cursor;
            if (c.index() < 0) reader.toStart();
            else reader.resumeAfter(c.index(), c.captureNanos());
            Batch batch = null;
            long backoff = 0;
            while (!closed) {
                if (batch == null) {
                    long seen = outbox.journal().appendedCount(Outbox.LINES);
                    batch = read(reader, cursor);
                    if (batch.isEmpty()) {
                        batch = null;
                        outbox.journal().awaitAppend(Outbox.LINES, seen, 1_000_000_000L);
                        continue;
                    }
                }
                if (overBound()) {
                    dropOldest(reader, batch);
                    if (batch.isEmpty()) batch = null;
                    continue;
                }
                try {
                    int refused = 0;
                    if (!batch.lines.isEmpty()) {
                        int[] n = {0};
                        sink.deliver(batch.lines, (line, reason) -> {
                            n[0]++;
                            refusedLine(line, reason);
                        });
                        refused = n[0];
                    }
                    commit(batch, batch.lines.size() - refused, refused);
                    batch = null;
                    backoff = 0;
                    up();
                } catch (IOException | RuntimeException e) {
                    sink.close();
                    down(e);
                    long most = sink.maxBackoffMillis() > 0 ? sink.maxBackoffMillis() : limits.backoffMaxMillis();
                    backoff = Math.min(most, backoff == 0 ? Math.min(most, BACKOFF_FIRST_MS) : backoff * 2);
                    pause((long) (backoff * ThreadLocalRandom.current().nextDouble(0.5, 1.5)));
                }
            }
        } catch (Throwable t) {
            state = "failed";
            lastError = t.toString();
            log.error("logger {}: delivery thread failed; lines wait in the outbox until hostqld restarts: {}", sink.plugin(), t, t);
        } finally {
            sink.close();
        }
    }

    /** Reads up to one batch after the cursor: the lines this sink takes, skipping the others. */
    private Batch read(Journal.Reader reader, Cursor from) {
        Batch b = new Batch();
        b.seq = from.seq();
        b.bytesEnd = from.bytesEnd();
        int batchLines = Math.max(1, Math.min(limits.batchLines(), sink.maxBatchLines()));
        while (b.lines.size() < batchLines && b.bytes < limits.batchBytes()) {
            JournalEntry e = reader.next();
            if (e == null) break;
            b.last = e;
            if (e.event() instanceof LogLineEvent l) {
                b.seq = l.seq();
                b.bytesEnd = l.bytesEnd();
                if (l.kind() != LogLineEvent.Kind.STATUS || sink.takesStatus()) {
                    b.lines.add(l);
                    b.entries.add(e);
                    b.bytes += l.line().length;
                }
            } else if (e.event() instanceof LossEvent loss) {
                b.damage.add(loss); // a damaged outbox record: this sink loses that line
            }
        }
        return b;
    }

    private boolean overBound() {
        Cursor c = cursor;
        return limits.maxLines() > 0 && outbox.lastSeq() - c.seq() > limits.maxLines()
                || limits.maxBytes() > 0 && outbox.bytesEnd() - c.bytesEnd() > limits.maxBytes();
    }

    /**
     * Drops the oldest waiting lines for this sink down to 90% of the bound (so a sink that stays down
     * is not told about each new line), and records how many in hostql_event_losses. Lines of the
     * batch newer than that stay in it.
     */
    private void dropOldest(Journal.Reader reader, Batch batch) {
        long keepLines = limits.maxLines() > 0 ? limits.maxLines() * 9 / 10 : Long.MAX_VALUE;
        long keepBytes = limits.maxBytes() > 0 ? limits.maxBytes() * 9 / 10 : Long.MAX_VALUE;
        long lastSeq = outbox.lastSeq(), lastBytes = outbox.bytesEnd();
        long dropped = 0;
        Batch cut = new Batch(); // the dropped part, committed as the new cursor
        cut.seq = cursor.seq();
        cut.bytesEnd = cursor.bytesEnd();
        int i = 0;
        for (; i < batch.lines.size(); i++) {
            LogLineEvent l = batch.lines.get(i);
            if (lastSeq - l.seq() < keepLines && lastBytes - l.bytesEnd() < keepBytes) break;
            cut.last = batch.entries.get(i);
            cut.seq = l.seq();
            cut.bytesEnd = l.bytesEnd();
            dropped++;
        }
        if (i == batch.lines.size()) {
            // The whole batch goes; read on, dropping, to the keep point.
            cut.last = batch.last;
            cut.seq = batch.seq;
            cut.bytesEnd = batch.bytesEnd;
            while (lastSeq - cut.seq > keepLines || lastBytes - cut.bytesEnd > keepBytes) {
                JournalEntry e = reader.next();
                if (e == null) break;
                cut.last = e;
                if (e.event() instanceof LogLineEvent l) {
                    cut.seq = l.seq();
                    cut.bytesEnd = l.bytesEnd();
                    if (l.kind() != LogLineEvent.Kind.STATUS || sink.takesStatus()) dropped++;
                }
            }
            batch.lines.clear();
            batch.entries.clear();
            batch.last = null;
        } else {
            batch.lines.subList(0, i).clear();
            batch.entries.subList(0, i).clear();
        }
        cut.damage.addAll(batch.damage);
        batch.damage.clear();
        if (cut.last == null) return;
        String reason = "logger " + sink.plugin() + " (" + sink.target() + "): " + dropped + " oldest lines dropped from the outbox:"
                + " more than buffered_log_max (" + limits.maxLines() + " lines) or logger_outbox_max_bytes (" + limits.maxBytes()
                + " bytes) were waiting";
        log.error(reason);
        losses.append(new LossEvent(Clock.nowNanos(), source(), dropped, reason));
        commit(cut, 0, dropped);
    }

    private void refusedLine(LogLineEvent line, String reason) {
        String msg = "logger " + sink.plugin() + " (" + sink.target() + "): a " + line.kind().name().toLowerCase() + " line of "
                + line.line().length + " bytes was refused and is dropped: " + reason;
        log.error(msg);
        losses.append(new LossEvent(Clock.nowNanos(), source(), 1, msg));
    }

    private String source() {
        return "logger:" + sink.plugin();
    }

    /** Moves the cursor past the batch, on disk first (fsync'd), then for the outbox's retention. */
    private void commit(Batch b, long delivered, long dropped) {
        for (LossEvent d : b.damage) {
            losses.append(new LossEvent(Clock.nowNanos(), source(), d.count(), "logger " + sink.plugin() + ": " + d.reason()));
            dropped += Math.max(0, d.count());
        }
        Cursor c = cursor;
        Cursor next = new Cursor(b.last.index(), b.last.event().captureNanos(), b.seq, b.bytesEnd, c.delivered() + delivered,
                c.dropped() + dropped);
        try {
            next.save(cursorFile);
            if (cursorSaveFailed) log.info("logger {}: its cursor is saved again ({})", sink.plugin(), cursorFile);
            cursorSaveFailed = false;
        } catch (IOException e) {
            // The sink has the lines; a restart before the next save only repeats them.
            if (!cursorSaveFailed) log.error("logger {}: cannot save its cursor {}: {}; a restart would resend lines", sink.plugin(),
                    cursorFile, e.getMessage());
            cursorSaveFailed = true;
        }
        cursor = next;
        outbox.journal().acknowledge(sink.plugin(), b.last.index());
        if (delivered > 0) lastSuccess = System.currentTimeMillis() / 1000;
    }

    private void up() {
        String was = state;
        state = "up";
        if ("down".equals(was)) {
            log.info("logger {}: delivering to {} again after {} s; {} lines were waiting", sink.plugin(), sink.target(),
                    (System.currentTimeMillis() - downSince) / 1000, status().pending());
        }
    }

    private void down(Exception e) {
        lastError = e.getMessage() == null ? e.toString() : e.getMessage();
        if (!"down".equals(state)) {
            downSince = System.currentTimeMillis();
            state = "down";
            log.warn("logger {}: cannot deliver to {}: {}; lines wait in the outbox and are retried with back-off", sink.plugin(),
                    sink.target(), lastError);
        }
    }

    private void pause(long millis) {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (!closed) {
            long left = end - System.nanoTime();
            if (left <= 0) return;
            LockSupport.parkNanos(this, left);
        }
    }

    /** Gives a healthy sink up to drainMillis to catch up, then stops the thread. */
    void close(long drainMillis) {
        long end = System.nanoTime() + drainMillis * 1_000_000L;
        while ("up".equals(state) && outbox.lastSeq() > cursor.seq() && System.nanoTime() < end && thread.isAlive()) {
            LockSupport.parkNanos(20_000_000L);
        }
        closed = true;
        LockSupport.unpark(thread);
        try {
            thread.join(3000);
            if (thread.isAlive()) {
                sink.close(); // aborts a connect or a wait for an acknowledgement
                thread.join(5000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(0);
    }
}
