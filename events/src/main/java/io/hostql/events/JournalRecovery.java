package io.hostql.events;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovery at open, in two steps. {@link #open}: opens the queue, and while its newest cycle file is damaged
 * (Chronicle cannot open it, or reading it in order stops before its index's end) moves that file aside to
 * {@code journal/damaged/} and tries again. {@link #recover}: salvages every record of the moved files that still
 * passes its checksum into the fresh journal, checks that the head's last append is on disk, and reports what is
 * lost: a loss record counting only what every consumer had not already stored (see {@link RecoveryLosses}), and
 * a line in the status log either way.
 */
final class JournalRecovery {
    /** The status log names the journal, whichever of its parts speaks. */
    private static final Logger log = LoggerFactory.getLogger(Journal.class);
    static final String DAMAGED_DIR = "damaged";
    /** Damaged newest files moved aside before giving up: each attempt removes one. */
    private static final int MAX_ATTEMPTS = 3;

    private final CycleFiles files;
    private final RollCycle rollCycle;
    private final long headIndex, headNanos;
    private final RecoveryLosses losses;
    private final AtomicLong damaged;
    /** Each damaged file, where it was moved, and what was wrong with it. */
    private final List<MovedAside> movedAside = new ArrayList<>();
    /** What reading the sound queue's newest cycle found. */
    private Damage sound;
    private final List<LossEvent> recoveries = new ArrayList<>();
    private final List<String> reports = new ArrayList<>();

    JournalRecovery(CycleFiles files, JournalHead head, List<Journal.Committed> committed, AtomicLong damaged) {
        this.files = files;
        this.rollCycle = files.rollCycle();
        this.headIndex = head.index();
        this.headNanos = head.captureNanos();
        this.losses = new RecoveryLosses(rollCycle, committed);
        this.damaged = damaged;
    }

    /** The queue and its appender, opened on cycle files that read in order to their end. */
    record Opened(SingleChronicleQueue queue, ExcerptAppender appender) {}

    private record MovedAside(Path file, Path aside, Damage damage) {}

    /**
     * What reading the newest cycle in order found: a description when it is damaged (else null), how many records
     * Chronicle's index counts in it, and the last record read in order (index, capture time).
     */
    private record Damage(String description, long indexed, long lastIndex, long lastNanos) {}

    Opened open(Supplier<SingleChronicleQueue> build) {
        for (int attempt = 0; ; attempt++) {
            Path newest = files.newest();
            SingleChronicleQueue queue = null;
            ExcerptAppender appender = null;
            Damage problem;
            try {
                queue = build.get();
                appender = queue.createAppender();
                // Publishers append from their own threads; the journal serialises them, so one appender serves all.
                appender.singleThreadedCheckDisabled(true);
                problem = integrityProblem(queue);
            } catch (RuntimeException e) {
                problem = new Damage("cannot open it: " + e, -1, -1, -1);
            }
            if (problem.description() == null) {
                sound = problem;
                return new Opened(queue, appender);
            }
            closeQuietly(queue, appender);
            if (newest == null || attempt >= MAX_ATTEMPTS) {
                throw new IllegalStateException("cannot open journal " + files.dir() + ": " + problem.description());
            }
            movedAside.add(new MovedAside(newest, moveAside(newest), problem));
        }
    }

    /**
     * After {@link #open}: salvages the files moved aside into {@code out} and reports what damage took. Returns the
     * loss records the journal must append (none when every table holds every record).
     */
    List<LossEvent> recover(SingleChronicleQueue queue, JournalAppender out) {
        for (MovedAside m : movedAside) {
            int cycle = files.cycleOf(m.file());
            DamagedFileSalvage.Salvaged saved = DamagedFileSalvage.salvage(m.aside(), losses.slowest(), out);
            // How many records the file held: hostql's own count of appends when the last one went to this file
            // (exact), else Chronicle's index of it (which the damage may have cut short: a lower bound).
            long byHead = headIndex > 0 && rollCycle.toCycle(headIndex) == cycle ? rollCycle.toSequenceNumber(headIndex) + 1 : -1;
            long held = Math.max(Math.max(byHead, m.damage().indexed()), saved.records());
            boolean estimate = byHead < 0 || saved.failure() != null;
            long notSalvaged = held - saved.records();
            long lost = losses.lostFromDamagedFile(cycle, held, saved.records(), saved.afterSlowest());
            String msg = "journal file " + m.file().getFileName() + " was damaged (" + m.damage().description() + "); moved aside to "
                    + m.aside() + "; " + saved.records() + " of its " + (estimate ? "at least " : "") + held + " records salvaged"
                    + (saved.failure() == null ? "" : " (salvage stopped: " + saved.failure() + ")") + "; "
                    + losses.describe(notSalvaged, "not salvaged", lost, estimate, rollCycle.toIndex(cycle, held - 1))
                    + "; journaling continues in a fresh cycle file";
            report(msg, lost, estimate);
        }
        boolean present = headIndex <= 0 || recordPresent(queue, headIndex, headNanos)
                || (sound != null && sound.lastIndex() == headIndex && sound.lastNanos() == headNanos);
        if (movedAside.isEmpty() && !present) reportMissingTail();
        return List.copyOf(recoveries);
    }

    /** The head says more was appended to its file than the file holds (or the file is gone). */
    private void reportMissingTail() {
        long last = sound == null ? -1 : sound.lastIndex();
        int headCycle = rollCycle.toCycle(headIndex);
        long headSeq = rollCycle.toSequenceNumber(headIndex);
        boolean sameFile = last >= 0 && rollCycle.toCycle(last) == headCycle;
        // Records of the head's file after the last one on disk; when that file is gone, all of it (and any
        // file between, which nothing counts: a lower bound).
        long missing = sameFile ? headSeq - rollCycle.toSequenceNumber(last) : headSeq + 1;
        boolean estimate = !sameFile;
        long lost = losses.lostFromTail(headIndex, last, missing);
        String msg = "journal file " + files.name(headCycle) + (sameFile ? " ends at its record " + (rollCycle.toSequenceNumber(last) + 1) : " is missing")
                + " but hostql had appended " + (headSeq + 1) + " records to it: the last " + (estimate ? "at least " : "") + missing
                + " never reached the disk (it was full, or the machine stopped before they were written) or the file was cut short; "
                + losses.describe(missing, "missing", lost, estimate, headIndex);
        report(msg, lost, estimate);
    }

    /** A loss record when the tables miss something; else only the status log (the damage is still worth knowing). */
    private void report(String msg, long lost, boolean estimate) {
        damaged.incrementAndGet();
        reports.add(msg);
        if (lost > 0) {
            log.error(msg);
            recoveries.add(new LossEvent(Clock.nowNanos(), "journal", lost, msg, estimate));
        } else {
            log.warn(msg);
        }
    }

    /** The loss records written at open. */
    List<LossEvent> recoveries() {
        return List.copyOf(recoveries);
    }

    /** Every damage found at open, as told to the status log, with or without a loss to the tables. */
    List<String> reports() {
        return List.copyOf(reports);
    }

    /**
     * Reads the newest cycle sequentially to its end. A hole (zeroed bytes) stops a sequential reader
     * while the tail stays reachable by index, and hides every later append: that is damage.
     */
    private Damage integrityProblem(SingleChronicleQueue queue) {
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
                    Long nanos = JournalFrame.captureNanos(b);
                    if (nanos != null) seenNanos = nanos;
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

    private static boolean recordPresent(SingleChronicleQueue queue, long index, long nanos) {
        try (ExcerptTailer t = queue.createTailer()) {
            if (!t.moveToIndex(index)) return false;
            try (DocumentContext dc = t.readingDocument()) {
                if (!dc.isPresent()) return false;
                Event e = JournalFrame.decode(dc.wire().bytes().toByteArray());
                return e != null && e.captureNanos() == nanos;
            }
        } catch (RuntimeException e) {
            return false;
        }
    }

    private Path moveAside(Path file) {
        Path aside = files.dir().resolve(DAMAGED_DIR).resolve(file.getFileName() + "." + System.currentTimeMillis());
        try {
            Files.createDirectories(aside.getParent());
            Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
            return aside;
        } catch (IOException e) {
            throw new IllegalStateException("journal file " + file + " is damaged and cannot be moved aside: " + e.getMessage(), e);
        }
    }

    static void closeQuietly(SingleChronicleQueue queue, ExcerptAppender appender) {
        try {
            if (appender != null) appender.close();
            if (queue != null) queue.close();
        } catch (RuntimeException ignored) {
            // closing a damaged queue may fail; it is being replaced
        }
    }
}
