package io.hostql.events;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TimeZone;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable, append-only event journal under {@code <database_path>/journal}: Chronicle Queue
 * with hostql's own framing on top, because Chronicle has no checksums.
 *
 * <p>Frame: {@code [version u8][type u8][captureNanos i64][length i32][payload][crc32c i32]}.
 *
 * <p>What it adds to Chronicle: a checksum per record; recovery from a damaged or truncated cycle
 * file at open (moved aside to {@code journal/damaged/}, a loss record written, the status log told);
 * readers that turn a bad record or a hole into a loss entry instead of silently stopping; seek by
 * capture time; retention by age and bytes that never deletes what an active consumer has not read.
 */
public final class Journal implements EventSink, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Journal.class);
    private static final int FRAME_VERSION = 1;
    private static final int HEADER = 1 + 1 + 8 + 4, TRAILER = 4;
    static final String DAMAGED_DIR = "damaged";

    private final Path dir;
    private final RollCycle rollCycle;
    private SingleChronicleQueue queue;
    private ExcerptAppender appender;
    private final RecordOutput payload = new RecordOutput(512);
    private final Bytes<?> frame = Bytes.allocateElasticOnHeap(1024);
    private final CRC32C crc = new CRC32C();
    private final Map<String, Long> consumers = new ConcurrentHashMap<>();
    private final AtomicLong appended = new AtomicLong();
    /** Appends per type (by ordinal), so a reader waits only for the types it decodes. */
    private final java.util.concurrent.atomic.AtomicLongArray appendedByType = new java.util.concurrent.atomic.AtomicLongArray(EventType.values().length);
    /**
     * Readers parked in {@link #awaitAppend}, with the types that wake them (ALL_TYPES: any). A reader
     * of other types is not woken by each process event: it catches up at its timeout, in one batch.
     */
    private final Map<Thread, java.util.Set<EventType>> waiting = new ConcurrentHashMap<>();
    private static final java.util.Set<EventType> ALL_TYPES = java.util.EnumSet.allOf(EventType.class);
    private final AtomicLong damaged = new AtomicLong();
    private final List<LossEvent> recoveries = new ArrayList<>();
    private final List<String> reports = new ArrayList<>();
    /** journal/head: the last index and capture time appended, kept in a mapped page so a truncation is noticed. */
    private java.nio.MappedByteBuffer head;

    private final TimeProvider clock;
    /** Storage faults on the append side: see {@link StorageGuard}. */
    private final StorageGuard guard;

    private Journal(Path dir, RollCycle rollCycle, TimeProvider clock) {
        this.dir = dir;
        this.rollCycle = rollCycle;
        this.clock = clock;
        this.guard = new StorageGuard(dir, cycle -> dir.resolve(cycleFileName(cycle)));
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

    public Path directory() {
        return dir;
    }

    // ---- append ------------------------------------------------------------------------------

    @Override
    public synchronized long append(Event event) {
        payload.reset();
        event.encode(payload);
        return appendFrame(event.type(), event.captureNanos(), payload.array(), payload.length());
    }

    /**
     * Writes one frame, or, when the storage cannot take it, counts it (see {@link StorageGuard}): never
     * throws because of a storage fault, so no publisher thread dies of a full or read-only disk. Returns
     * the index, or -1 when the record was counted instead of written.
     */
    private long appendFrame(EventType type, long nanos, byte[] data, int len) {
        if (guard.degraded()) {
            if (!guard.recheck(queue.cycle()) || writeGuarded(EventType.LOSS, guard.lossRecord()) < 0) {
                guard.drop(type, nanos);
                return -1;
            }
            guard.recovered();
        }
        long index = writeGuarded(type, nanos, data, len);
        if (index < 0) guard.drop(type, nanos);
        return index;
    }

    private long writeGuarded(EventType type, LossEvent loss) {
        RecordOutput out = new RecordOutput(256);
        loss.encode(out);
        return writeGuarded(type, loss.captureNanos(), out.array(), out.length());
    }

    /** The frame written, or -1 (the guard is now degraded) if the storage is not there for it. */
    private long writeGuarded(EventType type, long nanos, byte[] data, int len) {
        if (!guard.admit(queue.cycle(), HEADER + len + TRAILER + 8)) return -1;
        try {
            return writeFrame(type, nanos, data, len);
        } catch (InternalError | RuntimeException e) {
            // InternalError: a SIGBUS in a mapped write the guard did not foresee; the others: Chronicle's own I/O failures.
            guard.fault("writing failed: " + e);
            return -1;
        }
    }

    private long writeFrame(EventType type, long nanos, byte[] data, int len) {
        frame.clear();
        frame.writeByte((byte) FRAME_VERSION).writeByte((byte) type.code).writeLong(nanos).writeInt(len);
        frame.write(data, 0, len);
        crc.reset();
        crc.update(frame.underlyingObject() instanceof byte[] b ? b : frame.toByteArray(), 0, (int) frame.writePosition());
        frame.writeInt((int) crc.getValue());
        long end;
        try (DocumentContext dc = appender.writingDocument()) {
            try {
                dc.wire().bytes().write(frame);
                end = dc.wire().bytes().writePosition();
            } catch (Throwable t) {
                // Undo the header, so that a half-written record does not become a hole that stops every reader.
                dc.rollbackOnClose();
                throw t;
            }
        }
        guard.written(appender.cycle(), end);
        appended.incrementAndGet();
        appendedByType.incrementAndGet(type.ordinal());
        if (!waiting.isEmpty()) {
            for (Map.Entry<Thread, java.util.Set<EventType>> w : waiting.entrySet()) {
                if (w.getValue().contains(type)) java.util.concurrent.locks.LockSupport.unpark(w.getKey());
            }
        }
        long index = appender.lastIndexAppended();
        head.putLong(0, index);
        head.putLong(8, nanos);
        return index;
    }

    /**
     * While the journal is degraded: checks whether it can write again and, if so, writes the loss
     * record for the blind period. Called periodically, so the gap is closed even when no event comes.
     */
    public synchronized void recheckStorage() {
        if (!guard.degraded() || queue == null) return;
        if (guard.recheck(queue.cycle()) && writeGuarded(EventType.LOSS, guard.lossRecord()) >= 0) guard.recovered();
    }

    /** The writer's state: healthy, or degraded since when, why, and how many events were not captured. */
    public synchronized StorageStatus storageStatus() {
        return guard.status();
    }

    /** Re-appends a verified frame as it was (salvage keeps type, capture time and payload). */
    private void appendRawFrame(byte[] b) {
        RecordInput in = new RecordInput(java.util.Arrays.copyOfRange(b, 2, b.length - TRAILER));
        long nanos = in.readLong();
        byte[] data = in.readBytes();
        appendFrame(EventType.of(b[1] & 0xff), nanos, data, data.length);
    }

    /** Bytes of one frame, checked: null if it fails its checksum or its framing. */
    static Event decodeFrame(byte[] b) {
        return decodeFrame(b, null);
    }

    private static Event decodeFrame(byte[] b, java.util.Set<EventType> types) {
        if (b.length < HEADER + TRAILER || (b[0] & 0xff) != FRAME_VERSION) return null;
        CRC32C c = new CRC32C();
        c.update(b, 0, b.length - TRAILER);
        int stored = (b[b.length - 4] & 0xff) | (b[b.length - 3] & 0xff) << 8 | (b[b.length - 2] & 0xff) << 16
                | (b[b.length - 1] & 0xff) << 24;
        if ((int) c.getValue() != stored) return null;
        EventType type = EventType.of(b[1] & 0xff);
        if (type != null && types != null && !types.contains(type)) {
            long nanos = 0;
            for (int i = 9; i >= 2; i--) nanos = nanos << 8 | (b[i] & 0xff);
            return new SkippedEvent(nanos, type);
        }
        try {
            // the checksum only proves the bytes are as written: the framing inside must still be checked
            RecordInput in = new RecordInput(java.util.Arrays.copyOfRange(b, 2, b.length - TRAILER));
            long nanos = in.readLong();
            byte[] data = in.readBytes();
            if (type == null || data == null) return null;
            return Records.decode(type, nanos, data);
        } catch (CorruptRecordException e) {
            return null;
        }
    }

    // ---- read --------------------------------------------------------------------------------

    /** A new reader positioned at the start of the journal. Each consumer thread uses its own. */
    public Reader reader() {
        return new Reader(queue.createTailer(), null);
    }

    /**
     * A reader that decodes only records of these types; the others still pass their checksum and come
     * back as {@link SkippedEvent}s, so the consumer's position advances without the cost of decoding.
     */
    public Reader reader(java.util.Set<EventType> types) {
        return new Reader(queue.createTailer(), types == null ? null : java.util.EnumSet.copyOf(types));
    }

    /** Reads records in order; damage becomes a {@link LossEvent} entry, never a silent stop. */
    public final class Reader implements AutoCloseable {
        private final ExcerptTailer tailer;
        private final java.util.Set<EventType> types;
        private long stuckSince = -1;

        private Reader(ExcerptTailer tailer, java.util.Set<EventType> types) {
            this.tailer = tailer;
            this.types = types;
        }

        /** The next entry, or null if there is none yet. */
        public JournalEntry next() {
            long index;
            byte[] bytes;
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    return skipHoleIfStuck();
                }
                stuckSince = -1;
                index = dc.index();
                bytes = dc.wire().bytes().toByteArray();
            }
            Event e = decodeFrame(bytes, types);
            if (e == null) {
                damaged.incrementAndGet();
                String msg = "journal record " + describe(index) + " failed its checksum; skipped";
                log.error("{} ({})", msg, dir);
                return new JournalEntry(index, new LossEvent(Clock.nowNanos(), "journal", 1, msg));
            }
            return new JournalEntry(index, e);
        }

        /**
         * A hole in a cycle (zeroed bytes) looks like "no more data yet" forever. When later cycles
         * exist and this one has shown nothing for a while, skip to the next cycle and report the gap.
         */
        private JournalEntry skipHoleIfStuck() {
            int cycle = tailer.cycle();
            int last = queue.lastCycle();
            if (cycle >= last || cycle < 0) {
                stuckSince = -1;
                return null;
            }
            long now = System.nanoTime();
            if (stuckSince < 0) {
                stuckSince = now;
                return null;
            }
            if (now - stuckSince < 2_000_000_000L) return null;
            stuckSince = -1;
            int next;
            try {
                next = queue.nextCycle(cycle, TailerDirection.FORWARD);
            } catch (java.text.ParseException e) {
                return null;
            }
            if (next < 0) return null;
            long stuckAt = tailer.index();
            long skipped;
            try {
                // Chronicle's index still counts the records past the hole (they are there, unreadable in order).
                skipped = Math.max(1, queue.countExcerpts(stuckAt, rollCycle.toIndex(next, 0)));
            } catch (RuntimeException e) {
                skipped = 1; // the index is damaged too: at least the record it stopped at
            }
            if (!tailer.moveToCycle(next)) return null;
            damaged.incrementAndGet();
            String msg = "journal file " + cycleFileName(cycle) + " cannot be read in order after its record "
                    + rollCycle.toSequenceNumber(stuckAt) + " (a hole or damaged bytes); skipped to the next file: about " + skipped
                    + " records (as its index counts them)";
            log.error(msg);
            return new JournalEntry(tailer.index(), new LossEvent(Clock.nowNanos(), "journal", skipped, msg, true));
        }

        /**
         * Positions after a previously consumed record. The record must still be the one consumed
         * (same capture time): a recovered journal may reuse an index, and then time decides.
         */
        public void resumeAfter(long index, long captureNanos) {
            if (tailer.moveToIndex(index)) {
                JournalEntry e = next();
                if (e != null && e.event().captureNanos() == captureNanos) return;
            }
            seekTime(captureNanos + 1);
        }

        /** Positions at the first record captured at or after the given time (nanoseconds since the epoch). */
        public void seekTime(long nanos) {
            NavigableSet<Long> cycles = queue.listCyclesBetween(queue.firstCycle(), queue.lastCycle());
            Integer chosen = null;
            for (long c : cycles) {
                Long first = timeAt(rollCycle.toIndex((int) c, 0));
                if (first == null) continue;
                if (first <= nanos) chosen = (int) c;
                else break;
            }
            if (chosen == null) {
                tailer.toStart();
                return;
            }
            long lo = 0, hi = Math.max(0, queue.countExcerpts(rollCycle.toIndex(chosen, 0), rollCycle.toIndex(chosen + 1, 0)));
            while (lo < hi) {
                long mid = (lo + hi) >>> 1;
                Long t = timeAt(rollCycle.toIndex(chosen, mid));
                if (t != null && t < nanos) lo = mid + 1;
                else hi = mid;
            }
            long target = rollCycle.toIndex(chosen, lo);
            if (!tailer.moveToIndex(target)) {
                try {
                    int next = queue.nextCycle(chosen, TailerDirection.FORWARD);
                    if (next < 0) tailer.toEnd();
                    else tailer.moveToCycle(next);
                } catch (java.text.ParseException e) {
                    tailer.toEnd();
                }
            }
        }

        private Long timeAt(long index) {
            if (!tailer.moveToIndex(index)) return null;
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) return null;
                Bytes<?> b = dc.wire().bytes();
                if (b.readRemaining() < HEADER) return null;
                long p = b.readPosition();
                return b.readLong(p + 2);
            }
        }

        public void toStart() {
            tailer.toStart();
        }

        public void toEnd() {
            tailer.toEnd();
        }

        @Override
        public void close() {
            tailer.close();
        }
    }

    /** The newest record of these types (null: any type), read back from the end; null when there is none. */
    public synchronized JournalEntry newest(java.util.Set<EventType> types) {
        try (ExcerptTailer t = queue.createTailer().direction(TailerDirection.BACKWARD).toEnd()) {
            while (true) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) return null;
                    Event e = decodeFrame(dc.wire().bytes().toByteArray());
                    if (e != null && (types == null || types.contains(e.type()))) return new JournalEntry(dc.index(), e);
                }
            }
        }
    }

    // ---- consumers and retention -----------------------------------------------------------

    /** Declares an active consumer: until it acknowledges, retention keeps everything. */
    public void registerConsumer(String name) {
        consumers.putIfAbsent(name, -1L);
    }

    public void unregisterConsumer(String name) {
        consumers.remove(name);
    }

    /** The consumer has durably processed everything up to and including this index. */
    public void acknowledge(String name, long index) {
        consumers.put(name, index);
    }

    /**
     * Deletes whole cycles older than maxAgeMillis, then oldest cycles while the journal is over
     * maxBytes; never the current cycle, nor any cycle an active consumer has not finished.
     * Returns the number of cycle files deleted.
     */
    public synchronized int applyRetention(long maxAgeMillis, long maxBytes) {
        int current = queue.cycle();
        int protectFrom = current;
        for (long pos : consumers.values()) {
            if (pos < 0) return 0; // a consumer has not reported its position yet
            protectFrom = Math.min(protectFrom, rollCycle.toCycle(pos));
        }
        List<Path> candidates = new ArrayList<>();
        long total = 0;
        for (long c : queue.listCyclesBetween(queue.firstCycle(), queue.lastCycle())) {
            Path f = dir.resolve(cycleFileName((int) c));
            long size = sizeOf(f);
            total += size;
            if (c < protectFrom) candidates.add(f);
        }
        long now = clock.currentTimeMillis();
        int deleted = 0;
        for (Path f : candidates) {
            int cycle = cycleOf(f);
            long cycleEnd = (long) (cycle + 1) * rollCycle.lengthInMillis();
            boolean tooOld = maxAgeMillis > 0 && now - cycleEnd > maxAgeMillis;
            boolean tooBig = maxBytes > 0 && total > maxBytes;
            if (!tooOld && !tooBig) break;
            long size = sizeOf(f);
            try {
                Files.deleteIfExists(f);
                total -= size;
                deleted++;
                log.info("journal retention removed {} ({} bytes, {})", f.getFileName(), size, tooOld ? "expired" : "over size cap");
            } catch (IOException e) {
                log.warn("journal retention could not remove {}: {}", f, e.getMessage());
            }
        }
        if (deleted > 0) queue.refreshDirectoryListing();
        return deleted;
    }

    /** Bytes the journal's cycle files take (apparent size). */
    public long bytesOnDisk() {
        long total = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.cq4")) {
            for (Path p : ds) total += sizeOf(p);
        } catch (IOException e) {
            return -1;
        }
        return total;
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Parks the calling reader until something is appended after {@code seen} (a value of
     * {@link #appendedCount()} taken before it last found nothing to read), or at most maxNanos.
     */
    public void awaitAppend(long seen, long maxNanos) {
        awaitAppend(null, seen, maxNanos);
    }

    /**
     * As {@link #awaitAppend(long, long)}, woken only by appends of the given types (null: all);
     * {@code seen} is {@link #appendedCount(java.util.Set)} of the same types.
     */
    public void awaitAppend(java.util.Set<EventType> types, long seen, long maxNanos) {
        Thread me = Thread.currentThread();
        waiting.put(me, types == null ? ALL_TYPES : types);
        try {
            if (appendedCount(types) == seen) java.util.concurrent.locks.LockSupport.parkNanos(this, maxNanos);
        } finally {
            waiting.remove(me);
        }
    }

    public long appendedCount() {
        return appended.get();
    }

    /** Appends of the given types (null: all) since the journal was opened. */
    public long appendedCount(java.util.Set<EventType> types) {
        if (types == null) return appended.get();
        long n = 0;
        for (EventType t : types) n += appendedByType.get(t.ordinal());
        return n;
    }

    /** The index of the last record in the journal (-1 when it is empty). */
    public long lastIndex() {
        return queue.lastIndex();
    }

    public long damagedCount() {
        return damaged.get();
    }

    /** The loss records written by recovery at open, for the status log and tests. */
    public List<LossEvent> recoveries() {
        return List.copyOf(recoveries);
    }

    /** Every damage recovery found at open, as told to the status log, with or without a loss to the tables. */
    public List<String> damageReports() {
        return List.copyOf(reports);
    }

    // ---- open and recovery -----------------------------------------------------------------

    private String cycleFileName(int cycle) {
        SimpleDateFormat f = new SimpleDateFormat(rollCycle.format());
        f.setTimeZone(TimeZone.getTimeZone("UTC"));
        return f.format(new Date((long) cycle * rollCycle.lengthInMillis())) + ".cq4";
    }

    private int cycleOf(Path file) {
        String name = file.getFileName().toString().replace(".cq4", "");
        SimpleDateFormat f = new SimpleDateFormat(rollCycle.format());
        f.setTimeZone(TimeZone.getTimeZone("UTC"));
        try {
            return (int) (f.parse(name).getTime() / rollCycle.lengthInMillis());
        } catch (java.text.ParseException e) {
            return Integer.MAX_VALUE;
        }
    }

    private SingleChronicleQueue build() {
        return SingleChronicleQueueBuilder.binary(dir).rollCycle(rollCycle).blockSize(4L << 20).timeoutMS(1000).timeProvider(clock).build();
    }

    private void openRecovering(List<Committed> committed) {
        try {
            Files.createDirectories(dir);
            mapHead();
        } catch (IOException e) {
            throw new IllegalStateException("cannot create journal directory " + dir + ": " + e.getMessage(), e);
        }
        long headIndex = head.getLong(0), headNanos = head.getLong(8);
        Committed slowest = slowest(committed);
        List<Path[]> salvage = new ArrayList<>();
        List<Damage> reasons = new ArrayList<>();
        Damage sound = null;
        for (int attempt = 0; ; attempt++) {
            Path newest = newestCycleFile();
            Damage problem;
            try {
                queue = build();
                appender = queue.createAppender();
                // Publishers append from their own threads; append() serialises them, so one appender serves all.
                appender.singleThreadedCheckDisabled(true);
                problem = integrityProblem();
            } catch (RuntimeException e) {
                problem = new Damage("cannot open it: " + e, -1, -1, -1);
            }
            if (problem.description() == null) {
                sound = problem;
                break;
            }
            closeQuietly();
            if (newest == null || attempt >= 3) throw new IllegalStateException("cannot open journal " + dir + ": " + problem.description());
            salvage.add(new Path[] {newest, moveAside(newest)});
            reasons.add(problem);
        }
        for (int i = 0; i < salvage.size(); i++) {
            Path file = salvage.get(i)[0];
            int cycle = cycleOf(file);
            Salvaged saved = salvage(salvage.get(i)[1], slowest);
            // How many records the file held: hostql's own count of appends when the last one went to this file
            // (exact), else Chronicle's index of it (which the damage may have cut short: a lower bound).
            long byHead = headIndex > 0 && rollCycle.toCycle(headIndex) == cycle ? rollCycle.toSequenceNumber(headIndex) + 1 : -1;
            long held = Math.max(Math.max(byHead, reasons.get(i).indexed()), saved.records());
            boolean estimate = byHead < 0 || saved.failure() != null;
            long notSalvaged = held - saved.records();
            long lost = lostToTables(cycle, held, saved, slowest);
            String msg = "journal file " + file.getFileName() + " was damaged (" + reasons.get(i).description() + "); moved aside to "
                    + salvage.get(i)[1] + "; " + saved.records() + " of its " + (estimate ? "at least " : "") + held + " records salvaged"
                    + (saved.failure() == null ? "" : " (salvage stopped: " + saved.failure() + ")") + "; "
                    + lossText(notSalvaged, "not salvaged", lost, estimate, committed, rollCycle.toIndex(cycle, held - 1)) + "; journaling continues in a fresh cycle file";
            damaged.incrementAndGet();
            report(msg, lost, estimate);
        }
        boolean present = headIndex <= 0 || recordPresent(headIndex, headNanos)
                || (sound != null && sound.lastIndex() == headIndex && sound.lastNanos() == headNanos);
        if (salvage.isEmpty() && !present) {
            long last = sound == null ? -1 : sound.lastIndex();
            int headCycle = rollCycle.toCycle(headIndex);
            long headSeq = rollCycle.toSequenceNumber(headIndex);
            boolean sameFile = last >= 0 && rollCycle.toCycle(last) == headCycle;
            // Records of the head's file after the last one on disk; when that file is gone, all of it (and any
            // file between, which nothing counts: a lower bound).
            long missing = sameFile ? headSeq - rollCycle.toSequenceNumber(last) : headSeq + 1;
            boolean estimate = !sameFile;
            long lost;
            if (slowest != null && slowest.index() >= headIndex) lost = 0;
            else if (slowest != null && rollCycle.toCycle(slowest.index()) == headCycle && slowest.index() > Math.max(last, rollCycle.toIndex(headCycle, 0) - 1))
                lost = headSeq - rollCycle.toSequenceNumber(slowest.index());
            else lost = missing;
            String where = cycleFileName(headCycle);
            String msg = "journal file " + where + (sameFile ? " ends at its record " + (rollCycle.toSequenceNumber(last) + 1) : " is missing")
                    + " but hostql had appended " + (headSeq + 1) + " records to it: the last " + (estimate ? "at least " : "") + missing
                    + " never reached the disk (it was full, or the machine stopped before they were written) or the file was cut short; "
                    + lossText(missing, "missing", lost, estimate, committed, headIndex);
            damaged.incrementAndGet();
            report(msg, lost, estimate);
        }
        for (LossEvent loss : recoveries) append(loss);
        append(new SystemEvent(Clock.nowNanos(), "journal opened by pid " + ProcessHandle.current().pid()));
    }

    /** A loss record when the tables miss something; else only the status log (the damage is still worth knowing). */
    private void report(String msg, long lost, boolean estimate) {
        reports.add(msg);
        if (lost > 0) {
            log.error(msg);
            recoveries.add(new LossEvent(Clock.nowNanos(), "journal", lost, msg, estimate));
        } else {
            log.warn(msg);
        }
    }

    /** The consumer that stored least (null when there is none, or one has stored nothing: then nothing is stored by all). */
    private static Committed slowest(List<Committed> committed) {
        Committed min = null;
        for (Committed c : committed) {
            if (c.index() < 0) return null;
            if (min == null || c.index() < min.index()) min = c;
        }
        return min;
    }

    /**
     * Records of a damaged file that are neither salvaged nor already stored by every consumer. Consumers
     * resume after their position by capture time when the index no longer holds their record
     * ({@link Reader#resumeAfter}), so a salvaged record captured after the slowest position reaches them.
     */
    private long lostToTables(int cycle, long held, Salvaged saved, Committed slowest) {
        if (slowest == null || rollCycle.toCycle(slowest.index()) < cycle) return Math.max(0, held - saved.records());
        if (rollCycle.toCycle(slowest.index()) > cycle) return 0;
        long notStored = held - (rollCycle.toSequenceNumber(slowest.index()) + 1);
        return Math.max(0, notStored - saved.afterSlowest());
    }

    /** lastAffected: the index of the last record concerned; a consumer before it had not stored them all. */
    private static String lossText(long missing, String which, long lost, boolean estimate, List<Committed> committed, long lastAffected) {
        if (missing <= 0) return "no record is missing";
        if (lost == 0) {
            return "the " + missing + " " + which + " had already been stored by every subscriber: nothing is missing from the tables";
        }
        List<String> behind = new ArrayList<>();
        for (Committed c : committed) if (c.index() < lastAffected) behind.add(c.consumer());
        return (estimate ? "at least " : "") + lost + " records are lost to the tables"
                + (committed.isEmpty() ? "" : " (not yet stored by " + String.join(", ", behind) + ")")
                + (lost < missing ? "; the other " + (missing - lost) + " " + which + " had been stored by every subscriber" : "");
    }

    private void mapHead() throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir.resolve("head"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE)) {
            head = ch.map(java.nio.channels.FileChannel.MapMode.READ_WRITE, 0, 16);
        }
    }

    /**
     * What reading the newest cycle in order found: a description when it is damaged (else null), how many records
     * Chronicle's index counts in it, and the last record read in order (index, capture time).
     */
    private record Damage(String description, long indexed, long lastIndex, long lastNanos) {}

    /**
     * Reads the newest cycle sequentially to its end. A hole (zeroed bytes) stops a sequential reader
     * while the tail stays reachable by index, and hides every later append: that is damage.
     */
    private Damage integrityProblem() {
        long last = queue.lastIndex();
        if (last < 0) return new Damage(null, 0, -1, -1);
        long indexed = rollCycle.toSequenceNumber(last) + 1;
        long seen = -1, seenNanos = -1;
        try (ExcerptTailer t = queue.createTailer()) {
            if (!t.moveToCycle(rollCycle.toCycle(last))) return new Damage("its first record is unreadable", indexed, -1, -1);
            while (true) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) break;
                    seen = dc.index();
                    Bytes<?> b = dc.wire().bytes();
                    if (b.readRemaining() >= HEADER) seenNanos = b.readLong(b.readPosition() + 2);
                }
            }
        }
        if (seen == last) return new Damage(null, indexed, seen, seenNanos);
        long readable = seen < 0 ? 0 : rollCycle.toSequenceNumber(seen) + 1;
        String what = readable < indexed
                ? "reading it in order stops after its record " + readable + " of the " + indexed + " its index counts: a hole or damaged bytes"
                : "its index counts " + indexed + " records but reading it in order finds " + readable + ": it was cut short or its index is damaged";
        return new Damage(what, indexed, seen, seenNanos);
    }

    private boolean recordPresent(long index, long nanos) {
        try (ExcerptTailer t = queue.createTailer()) {
            if (!t.moveToIndex(index)) return false;
            try (DocumentContext dc = t.readingDocument()) {
                if (!dc.isPresent()) return false;
                Event e = decodeFrame(dc.wire().bytes().toByteArray());
                return e != null && e.captureNanos() == nanos;
            }
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** "record N of file F": what a user can find (Chronicle's raw index means nothing outside it). */
    private String describe(long index) {
        return (rollCycle.toSequenceNumber(index) + 1) + " of journal file " + cycleFileName(rollCycle.toCycle(index));
    }

    private Path moveAside(Path file) {
        Path aside = dir.resolve(DAMAGED_DIR).resolve(file.getFileName() + "." + System.currentTimeMillis());
        try {
            Files.createDirectories(aside.getParent());
            Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
            return aside;
        } catch (IOException e) {
            throw new IllegalStateException("journal file " + file + " is damaged and cannot be moved aside: " + e.getMessage(), e);
        }
    }

    /** What salvage copied: records, those captured after the slowest consumer's position, and why it stopped early (or null). */
    private record Salvaged(long records, long afterSlowest, String failure) {}

    /**
     * Copies every record of a damaged cycle that still passes its checksum into the fresh journal.
     * It scans the file's raw bytes for Chronicle document headers followed by a frame whose CRC
     * verifies, so it reaches records past a hole that Chronicle itself can no longer read.
     */
    private Salvaged salvage(Path damagedFile, Committed slowest) {
        long salvaged = 0, after = 0;
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(damagedFile)) {
            long size = ch.size();
            java.nio.MappedByteBuffer m = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, size);
            m.order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (long off = 0; off + 4 + HEADER + TRAILER <= size; ) {
                int header = m.getInt((int) off);
                int len = header & 0x3fffffff;
                boolean data = (header & 0xc0000000) == 0;
                if (data && len >= HEADER + TRAILER && off + 4 + len <= size && m.get((int) off + 4) == FRAME_VERSION) {
                    int frameLen = HEADER + m.getInt((int) off + 4 + 10) + TRAILER;
                    if (frameLen > 0 && frameLen <= len) {
                        byte[] b = new byte[frameLen];
                        m.get((int) off + 4, b);
                        Event e = decodeFrame(b);
                        if (e != null) {
                            appendRawFrame(b);
                            salvaged++;
                            if (slowest != null && e.captureNanos() > slowest.captureNanos()) after++;
                            off += 4 + ((len + 3) & ~3);
                            continue;
                        }
                    }
                }
                off += 4;
            }
        } catch (IOException | RuntimeException e) {
            log.warn("could not salvage records from {}: {}", damagedFile, e.toString());
            return new Salvaged(salvaged, after, e.toString());
        }
        return new Salvaged(salvaged, after, null);
    }

    private Path newestCycleFile() {
        Path newest = null;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.cq4")) {
            for (Path p : ds) if (newest == null || p.getFileName().toString().compareTo(newest.getFileName().toString()) > 0) newest = p;
        } catch (IOException e) {
            return null;
        }
        return newest;
    }

    private static void deleteTree(Path p) {
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        } catch (IOException ignored) {
            // a temp probe; nothing depends on it
        }
    }

    private void closeQuietly() {
        try {
            if (appender != null) appender.close();
            if (queue != null) queue.close();
        } catch (RuntimeException ignored) {
            // closing a damaged queue may fail; it is being replaced
        }
        appender = null;
        queue = null;
    }

    @Override
    public synchronized void close() {
        closeQuietly();
        guard.close();
    }
}
