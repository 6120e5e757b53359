package io.hostql.events;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

/**
 * The durable, append-only event journal under {@code <database_path>/journal}: Chronicle Queue
 * with hostql's own framing on top ({@link JournalFrame}), because Chronicle has no checksums.
 *
 * <p>What it adds to Chronicle: a checksum per record; recovery from a damaged or truncated cycle
 * file at open ({@link JournalRecovery}: moved aside to {@code journal/damaged/}, a loss record written,
 * the status log told); readers that turn a bad record or a hole into a loss entry instead of silently
 * stopping, and seek by capture time ({@link JournalTailer}); wake-ups of readers per event type
 * ({@link AppendSignal}); retention by age and bytes that never deletes what an active consumer has not read
 * ({@link JournalRetention}); appends that survive a full or read-only disk ({@link JournalAppender},
 * {@link StorageGuard}).
 *
 * <p>This class opens and closes the queue and is the one entry point; its parts do the work.
 */
public final class Journal implements EventSink, AutoCloseable {
    static final String DAMAGED_DIR = JournalRecovery.DAMAGED_DIR;
    /** The size of the queue's mapped chunks. */
    private static final long BLOCK_SIZE = 4L << 20;
    /**
     * The most bytes one Chronicle document (one journal record: its frame) holds: a quarter of the block size, Chronicle's
     * write limit for a document (measured: a 2 MB document failed with "writeRemaining: 1048576"; JournalAppenderTest).
     */
    static final int MAX_DOCUMENT_BYTES = (int) (BLOCK_SIZE / 4);
    /**
     * The most bytes one event's encoding may take ({@link Event#encode}): one document less the frame around it. A bigger
     * event is refused with a {@link RecordTooLargeException}; a publisher bounds what it gathers into one event by this.
     */
    public static final int MAX_EVENT_BYTES = MAX_DOCUMENT_BYTES - JournalFrame.HEADER - JournalFrame.TRAILER;

    private final Path dir;
    private final RollCycle rollCycle;
    private final TimeProvider clock;
    private final CycleFiles files;
    private final AppendSignal signal = new AppendSignal();
    private final JournalRetention retention;
    /** Damage found so far: at open, and by readers. */
    private final AtomicLong damaged = new AtomicLong();
    private SingleChronicleQueue queue;
    private JournalAppender appender;
    private List<LossEvent> recoveries = List.of();
    private List<String> reports = List.of();
    /** The last lag measured ({@link #lag}), and cycle files retention removed since the journal was opened. */
    private volatile MeasuredLag lastLag;
    private volatile long cyclesRemoved;

    private Journal(Path dir, RollCycle rollCycle, TimeProvider clock) {
        this.dir = dir;
        this.rollCycle = rollCycle;
        this.clock = clock;
        this.files = new CycleFiles(dir, rollCycle);
        this.retention = new JournalRetention(files);
    }

    public static Journal open(Path dir) {
        return open(dir, RollCycles.FAST_HOURLY);
    }

    /** Opens (creating) the journal, recovering a damaged tail. Never fails because of damaged files. */
    public static Journal open(Path dir, RollCycle rollCycle) {
        return open(dir, rollCycle, SystemTimeProvider.INSTANCE, List.of());
    }

    /**
     * As {@link #open(Path)}, told what each consumer had durably stored (its position in events.db): recovery
     * then reports as lost only the records that damage took before every consumer had stored them.
     */
    public static Journal open(Path dir, List<Committed> committed) {
        return open(dir, RollCycles.FAST_HOURLY, SystemTimeProvider.INSTANCE, committed);
    }

    /** With the queue's clock given: tests use it to produce several cycles quickly. */
    static Journal open(Path dir, RollCycle rollCycle, TimeProvider clock) {
        return open(dir, rollCycle, clock, List.of());
    }

    static Journal open(Path dir, RollCycle rollCycle, TimeProvider clock, List<Committed> committed) {
        Journal j = new Journal(dir, rollCycle, clock);
        j.openRecovering(committed);
        return j;
    }

    /**
     * A consumer's last durably stored record: its index and capture time (index -1: nothing stored yet).
     * Everything up to it is in the consumer's table whatever becomes of the journal file.
     */
    public record Committed(String consumer, long index, long captureNanos) {}

    private void openRecovering(List<Committed> committed) {
        JournalHead head;
        try {
            Files.createDirectories(dir);
            head = JournalHead.map(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create journal directory " + dir + ": " + e.getMessage(), e);
        }
        JournalRecovery recovery = new JournalRecovery(files, head, committed, damaged);
        JournalRecovery.Opened opened = recovery.open(this::build);
        queue = opened.queue();
        appender = new JournalAppender(queue, opened.appender(), files, head, signal);
        recoveries = recovery.recover(queue, appender);
        reports = recovery.reports();
        for (LossEvent loss : recoveries) append(loss);
        append(new SystemEvent(Clock.nowNanos(), "journal opened by pid " + ProcessHandle.current().pid()));
    }

    private SingleChronicleQueue build() {
        return SingleChronicleQueueBuilder.binary(dir).rollCycle(rollCycle).blockSize(BLOCK_SIZE).timeoutMS(1000).timeProvider(clock).build();
    }

    public Path directory() {
        return dir;
    }

    // ---- append ------------------------------------------------------------------------------

    /**
     * The record's index, or -1 when the storage could not take it and it was counted instead (see {@link StorageGuard}).
     *
     * @throws RecordTooLargeException when the event's encoding is over {@link #MAX_EVENT_BYTES} (not a storage fault: nothing is degraded)
     */
    @Override
    public synchronized long append(Event event) {
        return appender.append(event);
    }

    /**
     * While the journal is degraded: checks whether it can write again and, if so, writes the loss
     * record for the blind period. Called periodically, so the gap is closed even when no event comes.
     */
    public synchronized void recheckStorage() {
        if (appender != null) appender.recheckStorage();
    }

    /** The writer's state: healthy, or degraded since when, why, and how many events were not captured. */
    public synchronized StorageStatus storageStatus() {
        return appender == null ? StorageStatus.HEALTHY : appender.storageStatus();
    }

    // ---- read --------------------------------------------------------------------------------

    /** Reads records in order; damage becomes a {@link LossEvent} entry, never a silent stop. */
    public interface Reader extends AutoCloseable {
        /** The next entry, or null if there is none yet. */
        JournalEntry next();

        /**
         * Positions after a previously consumed record. The record must still be the one consumed
         * (same capture time): a recovered journal may reuse an index, and then time decides.
         */
        void resumeAfter(long index, long captureNanos);

        /** Positions at the first record captured at or after the given time (nanoseconds since the epoch). */
        void seekTime(long nanos);

        void toStart();

        void toEnd();

        @Override
        void close();
    }

    /** A new reader positioned at the start of the journal. Each consumer thread uses its own. */
    public Reader reader() {
        return new JournalTailer(queue, files, null, damaged);
    }

    /**
     * A reader that decodes only records of these types; the others still pass their checksum and come
     * back as {@link SkippedEvent}s, so the consumer's position advances without the cost of decoding.
     */
    public Reader reader(Set<EventType> types) {
        return new JournalTailer(queue, files, types == null ? null : EnumSet.copyOf(types), damaged);
    }

    /** The newest record of these types (null: any type), read back from the end; null when there is none. */
    public synchronized JournalEntry newest(Set<EventType> types) {
        return JournalTailer.newest(queue, types);
    }

    /**
     * Parks the calling reader until something is appended after {@code seen} (a value of
     * {@link #appendedCount()} taken before it last found nothing to read), or at most maxNanos.
     */
    public void awaitAppend(long seen, long maxNanos) {
        signal.await(null, seen, maxNanos);
    }

    /**
     * As {@link #awaitAppend(long, long)}, woken only by appends of the given types (null: all);
     * {@code seen} is {@link #appendedCount(Set)} of the same types.
     */
    public void awaitAppend(Set<EventType> types, long seen, long maxNanos) {
        signal.await(types, seen, maxNanos);
    }

    public long appendedCount() {
        return signal.count(null);
    }

    /** Appends of the given types (null: all) since the journal was opened. */
    public long appendedCount(Set<EventType> types) {
        return signal.count(types);
    }

    /** The index of the last record in the journal (-1 when it is empty). */
    public long lastIndex() {
        return queue.lastIndex();
    }

    // ---- consumers and retention -----------------------------------------------------------

    /** Declares an active consumer: until it acknowledges, retention keeps everything. */
    public void registerConsumer(String name) {
        retention.register(name);
    }

    public void unregisterConsumer(String name) {
        retention.unregister(name);
    }

    /** The consumer has durably processed everything up to and including this index. */
    public void acknowledge(String name, long index) {
        retention.acknowledge(name, index);
    }

    /**
     * The head (the last record) and each active consumer's lag behind it, for hostqlctl status. Measured again only
     * when a record was appended, a consumer acknowledged or retention removed a cycle since the last time: measuring
     * reads Chronicle's metadata and records, which an idle daemon asking every few seconds paid for nothing.
     */
    public JournalLag lag() {
        long appends = signal.count(null), removed = cyclesRemoved; // before measuring: an append meanwhile measures again next time
        Map<String, Long> acknowledged = retention.acknowledged();
        MeasuredLag last = lastLag;
        if (last != null && last.appends() == appends && last.cyclesRemoved() == removed && last.acknowledged().equals(acknowledged)) {
            return last.lag();
        }
        JournalLag lag = JournalLag.measure(queue, acknowledged);
        lastLag = new MeasuredLag(appends, removed, acknowledged, lag);
        return lag;
    }

    /** A lag and what it was measured at. */
    private record MeasuredLag(long appends, long cyclesRemoved, Map<String, Long> acknowledged, JournalLag lag) {}

    /**
     * Deletes whole cycles older than maxAgeMillis, then oldest cycles while the journal is over
     * maxBytes; never the current cycle, nor any cycle an active consumer has not finished.
     * Returns the number of cycle files deleted.
     */
    public synchronized int applyRetention(long maxAgeMillis, long maxBytes) {
        int removed = retention.apply(queue, clock.currentTimeMillis(), maxAgeMillis, maxBytes);
        cyclesRemoved += removed;
        return removed;
    }

    /** Bytes the journal's cycle files take (apparent size). */
    public long bytesOnDisk() {
        return files.bytesOnDisk();
    }

    // ---- damage ----------------------------------------------------------------------------

    public long damagedCount() {
        return damaged.get();
    }

    /** The loss records written by recovery at open, for the status log and tests. */
    public List<LossEvent> recoveries() {
        return recoveries;
    }

    /** Every damage recovery found at open, as told to the status log, with or without a loss to the tables. */
    public List<String> damageReports() {
        return reports;
    }

    @Override
    public synchronized void close() {
        try {
            if (appender != null) appender.close();
        } catch (RuntimeException ignored) {
            // closing a damaged queue may fail; it is being closed anyway
        }
        JournalRecovery.closeQuietly(queue, null);
        appender = null;
        queue = null;
    }
}
