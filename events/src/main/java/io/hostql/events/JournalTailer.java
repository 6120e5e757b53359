package io.hostql.events;

import java.text.ParseException;
import java.util.NavigableSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal's read side: one Chronicle tailer, read in order, each record checked against its frame.
 * Damage becomes a {@link LossEvent} entry, never a silent stop: a record failing its checksum, or a hole
 * in a cycle file that Chronicle cannot read past. Each consumer thread uses its own.
 */
final class JournalTailer implements Journal.Reader {
    /** The status log names the journal, whichever of its parts speaks. */
    private static final Logger log = LoggerFactory.getLogger(Journal.class);
    /** How long a tailer shows nothing in a cycle that later cycles follow before that is taken for a hole. */
    static final long HOLE_NANOS = 2_000_000_000L;

    private final SingleChronicleQueue queue;
    private final CycleFiles files;
    private final RollCycle rollCycle;
    private final ExcerptTailer tailer;
    /** Null: decode every type. */
    private final Set<EventType> types;
    /** The journal's count of damage found (records and holes), shared with recovery. */
    private final AtomicLong damaged;
    private long stuckSince = -1;

    JournalTailer(SingleChronicleQueue queue, CycleFiles files, Set<EventType> types, AtomicLong damaged) {
        this.queue = queue;
        this.files = files;
        this.rollCycle = files.rollCycle();
        this.tailer = queue.createTailer();
        this.types = types;
        this.damaged = damaged;
    }

    @Override
    public JournalEntry next() {
        long index;
        byte[] bytes;
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return skipHoleIfStuck();
            }
            stuckSince = -1;
            index = dc.index();
            Bytes<?> document = dc.wire().bytes();
            SkippedEvent skipped = types == null ? null : JournalFrame.skipped(document, types);
            if (skipped != null) return new JournalEntry(index, skipped);
            bytes = document.toByteArray();
        }
        Event e = JournalFrame.decode(bytes, types);
        if (e == null) {
            damaged.incrementAndGet();
            String msg = "journal record " + files.describe(index) + " failed its checksum; skipped";
            log.error("{} ({})", msg, files.dir());
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
        if (now - stuckSince < HOLE_NANOS) return null;
        stuckSince = -1;
        int next;
        try {
            next = queue.nextCycle(cycle, TailerDirection.FORWARD);
        } catch (ParseException e) {
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
        String msg = "journal file " + files.name(cycle) + " cannot be read in order after its record "
                + rollCycle.toSequenceNumber(stuckAt) + " (a hole or damaged bytes); skipped to the next file: about " + skipped
                + " records (as its index counts them)";
        log.error(msg);
        return new JournalEntry(tailer.index(), new LossEvent(Clock.nowNanos(), "journal", skipped, msg, true));
    }

    @Override
    public void resumeAfter(long index, long captureNanos) {
        if (tailer.moveToIndex(index)) {
            JournalEntry e = next();
            if (e != null && e.event().captureNanos() == captureNanos) return;
        }
        seekTime(captureNanos + 1);
    }

    /** The cycle holding the time (the last whose first record is not after it), then a binary search in it by index. */
    @Override
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
            } catch (ParseException e) {
                tailer.toEnd();
            }
        }
    }

    private Long timeAt(long index) {
        if (!tailer.moveToIndex(index)) return null;
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) return null;
            return JournalFrame.captureNanos(dc.wire().bytes());
        }
    }

    @Override
    public void toStart() {
        tailer.toStart();
    }

    @Override
    public void toEnd() {
        tailer.toEnd();
    }

    @Override
    public void close() {
        tailer.close();
    }

    /** The newest record of these types (null: any type), read back from the end; null when there is none. */
    static JournalEntry newest(SingleChronicleQueue queue, Set<EventType> types) {
        try (ExcerptTailer t = queue.createTailer().direction(TailerDirection.BACKWARD).toEnd()) {
            while (true) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) return null;
                    Event e = JournalFrame.decode(dc.wire().bytes().toByteArray());
                    if (e != null && (types == null || types.contains(e.type()))) return new JournalEntry(dc.index(), e);
                }
            }
        }
    }
}
