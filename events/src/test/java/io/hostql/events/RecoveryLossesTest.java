package io.hostql.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.Test;

/** What damage takes from the tables, case by case, without files: only what not every consumer had stored. */
class RecoveryLossesTest {
    private static final RollCycle ROLL = RollCycles.FAST_HOURLY;
    private static final int CYCLE = 500_000;

    private static long at(int cycle, long seq) {
        return ROLL.toIndex(cycle, seq);
    }

    private static RecoveryLosses stored(Journal.Committed... committed) {
        return new RecoveryLosses(ROLL, List.of(committed));
    }

    @Test
    void withoutConsumersEveryRecordNotSalvagedIsLost() {
        RecoveryLosses l = stored();
        assertThat(l.slowest()).isNull();
        assertThat(l.lostFromDamagedFile(CYCLE, 1000, 300, 0)).isEqualTo(700);
        assertThat(l.lostFromTail(at(CYCLE, 99), at(CYCLE, 59), 40)).isEqualTo(40);
    }

    @Test
    void aConsumerThatStoredNothingMeansNothingIsStoredByAll() {
        RecoveryLosses l = stored(new Journal.Committed("fim", at(CYCLE, 999), 1), new Journal.Committed("new", -1, -1));
        assertThat(l.slowest()).isNull();
        assertThat(l.lostFromDamagedFile(CYCLE, 1000, 0, 0)).isEqualTo(1000);
    }

    @Test
    void theSlowestConsumerDecides() {
        RecoveryLosses l = stored(new Journal.Committed("fim", at(CYCLE, 99), 7), new Journal.Committed("losses", at(CYCLE, 999), 9));
        assertThat(l.slowest().consumer()).isEqualTo("fim");
        // 1000 held, fim stored the first 100: 900 not stored, of which 200 were salvaged after its position.
        assertThat(l.lostFromDamagedFile(CYCLE, 1000, 300, 200)).isEqualTo(700);
        assertThat(l.lostFromDamagedFile(CYCLE, 1000, 1000, 900)).as("all salvaged").isZero();
    }

    @Test
    void aDamagedFileBeforeOrAfterTheSlowestPosition() {
        RecoveryLosses l = stored(new Journal.Committed("fim", at(CYCLE, 10), 7));
        assertThat(l.lostFromDamagedFile(CYCLE - 1, 1000, 0, 0)).as("an older file: all stored").isZero();
        assertThat(l.lostFromDamagedFile(CYCLE + 1, 1000, 400, 400)).as("a newer file: none stored").isEqualTo(600);
    }

    @Test
    void aTailMissingFromTheDiskCountsWhatTheSlowestHadNotStored() {
        long head = at(CYCLE, 99), lastOnDisk = at(CYCLE, 59);
        assertThat(stored(new Journal.Committed("fim", head, 1)).lostFromTail(head, lastOnDisk, 40)).as("stored all").isZero();
        assertThat(stored(new Journal.Committed("fim", at(CYCLE, 89), 1)).lostFromTail(head, lastOnDisk, 40))
                .as("stored up to a record past the disk's last: the 10 after it").isEqualTo(10);
        assertThat(stored(new Journal.Committed("fim", at(CYCLE, 20), 1)).lostFromTail(head, lastOnDisk, 40))
                .as("behind the disk's last: all missing").isEqualTo(40);
        assertThat(stored(new Journal.Committed("fim", at(CYCLE - 1, 5), 1)).lostFromTail(head, -1, 100))
                .as("the file gone, stored in an older one").isEqualTo(100);
    }

    @Test
    void theReportSaysWhatIsMissingAndWhoHadNotStoredIt() {
        RecoveryLosses l = stored(new Journal.Committed("fim", at(CYCLE, 10), 1), new Journal.Committed("losses", at(CYCLE, 999), 1));
        assertThat(l.describe(0, "missing", 0, false, at(CYCLE, 99))).isEqualTo("no record is missing");
        assertThat(l.describe(40, "missing", 0, false, at(CYCLE, 99)))
                .isEqualTo("the 40 missing had already been stored by every subscriber: nothing is missing from the tables");
        assertThat(l.describe(40, "not salvaged", 30, true, at(CYCLE, 99)))
                .isEqualTo("at least 30 records are lost to the tables (not yet stored by fim); the other 10 not salvaged had been stored by every subscriber");
        assertThat(stored().describe(40, "missing", 40, false, at(CYCLE, 99))).isEqualTo("40 records are lost to the tables");
    }
}
