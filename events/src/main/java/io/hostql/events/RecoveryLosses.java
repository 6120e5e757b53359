package io.hostql.events;

import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.queue.RollCycle;

/**
 * Which of the records that damage took are lost to the tables: those that not every consumer had durably
 * stored (its position in events.db, told to {@link Journal#open(java.nio.file.Path, List)}). The arithmetic of
 * recovery, apart from the files, so that it can be checked case by case.
 */
final class RecoveryLosses {
    private final RollCycle rollCycle;
    private final List<Journal.Committed> committed;
    /** The consumer that stored least; null when there is none, or one has stored nothing (then nothing is stored by all). */
    private final Journal.Committed slowest;

    RecoveryLosses(RollCycle rollCycle, List<Journal.Committed> committed) {
        this.rollCycle = rollCycle;
        this.committed = List.copyOf(committed);
        this.slowest = slowest(committed);
    }

    Journal.Committed slowest() {
        return slowest;
    }

    private static Journal.Committed slowest(List<Journal.Committed> committed) {
        Journal.Committed min = null;
        for (Journal.Committed c : committed) {
            if (c.index() < 0) return null;
            if (min == null || c.index() < min.index()) min = c;
        }
        return min;
    }

    /**
     * Records of a damaged file that are neither salvaged nor already stored by every consumer. Consumers
     * resume after their position by capture time when the index no longer holds their record
     * ({@link Journal.Reader#resumeAfter}), so a salvaged record captured after the slowest position reaches them.
     *
     * @param held how many records the file held
     * @param salvaged how many of them salvage copied, afterSlowest of which were captured after the slowest position
     */
    long lostFromDamagedFile(int cycle, long held, long salvaged, long afterSlowest) {
        if (slowest == null || rollCycle.toCycle(slowest.index()) < cycle) return Math.max(0, held - salvaged);
        if (rollCycle.toCycle(slowest.index()) > cycle) return 0;
        long notStored = held - (rollCycle.toSequenceNumber(slowest.index()) + 1);
        return Math.max(0, notStored - afterSlowest);
    }

    /**
     * Of the {@code missing} records at the end of the head's file (the head at headIndex, the last record on disk at
     * lastOnDisk, -1 if none), those not stored by every consumer.
     */
    long lostFromTail(long headIndex, long lastOnDisk, long missing) {
        int headCycle = rollCycle.toCycle(headIndex);
        if (slowest != null && slowest.index() >= headIndex) return 0;
        if (slowest != null && rollCycle.toCycle(slowest.index()) == headCycle
                && slowest.index() > Math.max(lastOnDisk, rollCycle.toIndex(headCycle, 0) - 1)) {
            return rollCycle.toSequenceNumber(headIndex) - rollCycle.toSequenceNumber(slowest.index());
        }
        return missing;
    }

    /**
     * The end of a damage report: what is missing and who had not stored it. lastAffected: the index of the last record
     * concerned; a consumer before it had not stored them all.
     */
    String describe(long missing, String which, long lost, boolean estimate, long lastAffected) {
        if (missing <= 0) return "no record is missing";
        if (lost == 0) {
            return "the " + missing + " " + which + " had already been stored by every subscriber: nothing is missing from the tables";
        }
        List<String> behind = new ArrayList<>();
        for (Journal.Committed c : committed) if (c.index() < lastAffected) behind.add(c.consumer());
        return (estimate ? "at least " : "") + lost + " records are lost to the tables"
                + (committed.isEmpty() ? "" : " (not yet stored by " + String.join(", ", behind) + ")")
                + (lost < missing ? "; the other " + (missing - lost) + " " + which + " had been stored by every subscriber" : "");
    }
}
