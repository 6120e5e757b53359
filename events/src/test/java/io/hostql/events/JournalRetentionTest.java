package io.hostql.events;

import static io.hostql.events.JournalFixtures.cycleFiles;
import static io.hostql.events.JournalFixtures.drain;
import static io.hostql.events.JournalFixtures.file;
import static io.hostql.events.JournalFixtures.files;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention by age and bytes, held back by every consumer that has not finished a cycle. */
class JournalRetentionTest {
    private static final long MINUTE = 60_000;

    @TempDir
    Path dir;

    private final SetTimeProvider clock = new SetTimeProvider(1_700_000_000_000L * 1_000_000L);

    /** Six five-minute cycles of two records each; returns the index of each cycle's first. */
    private List<Long> sixCycles(Journal j) {
        List<Long> firstOfCycle = new ArrayList<>();
        for (int c = 0; c < 6; c++) {
            firstOfCycle.add(j.append(file(c, "/cycle/" + c)));
            j.append(file(c, "/cycle/" + c + "b"));
            clock.advanceMillis(5 * MINUTE);
        }
        return firstOfCycle;
    }

    @Test
    void retentionDeletesOldCyclesButNeverUnconsumedOnes() throws Exception {
        try (Journal j = Journal.open(dir, RollCycles.FIVE_MINUTELY, clock)) {
            j.registerConsumer("fim");
            List<Long> firstOfCycle = sixCycles(j);
            assertThat(cycleFiles(dir)).hasSize(6);
            assertThat(j.applyRetention(10 * MINUTE, 0)).as("no acknowledgement yet: keep all").isZero();
            j.acknowledge("fim", firstOfCycle.get(2));
            clock.advanceMillis(5 * MINUTE);
            int deleted = j.applyRetention(10 * MINUTE, 0);
            assertThat(deleted).isEqualTo(2);
            assertThat(cycleFiles(dir)).hasSize(4);
            j.acknowledge("fim", firstOfCycle.get(5));
            assertThat(j.applyRetention(0, 1)).as("over the byte cap: all but the current, consumed cycle").isEqualTo(3);
            assertThat(cycleFiles(dir)).hasSize(1);
            Journal.Reader r = j.reader();
            assertThat(files(drain(r))).extracting(FileEvent::pathText).containsExactly("/cycle/5", "/cycle/5b");
        }
    }

    @Test
    void theSlowestConsumerHoldsRetentionBackAndAnUnregisteredOneNoLonger() throws Exception {
        try (Journal j = Journal.open(dir, RollCycles.FIVE_MINUTELY, clock)) {
            List<Long> firstOfCycle = sixCycles(j);
            j.acknowledge("fast", firstOfCycle.get(5));
            j.acknowledge("slow", firstOfCycle.get(1));
            assertThat(j.applyRetention(0, 1)).as("only the cycle before the slow consumer's").isEqualTo(1);
            j.unregisterConsumer("slow");
            assertThat(j.applyRetention(0, 1)).as("then up to the fast one's").isEqualTo(4);
            assertThat(cycleFiles(dir)).hasSize(1);
        }
    }

    @Test
    void withinTheLimitsNothingIsDeleted() throws Exception {
        try (Journal j = Journal.open(dir, RollCycles.FIVE_MINUTELY, clock)) {
            List<Long> firstOfCycle = sixCycles(j);
            j.acknowledge("fim", firstOfCycle.get(5));
            assertThat(j.applyRetention(24 * 60 * MINUTE, j.bytesOnDisk())).isZero();
            assertThat(j.applyRetention(0, 0)).as("0: no limit").isZero();
            assertThat(cycleFiles(dir)).hasSize(6);
        }
    }

    @Test
    void bytesOnDiskIsTheSizeOfTheCycleFiles() throws Exception {
        try (Journal j = Journal.open(dir, RollCycles.FIVE_MINUTELY, clock)) {
            sixCycles(j);
            long total = 0;
            for (Path p : cycleFiles(dir)) total += Files.size(p);
            assertThat(j.bytesOnDisk()).isEqualTo(total).isPositive();
        }
    }
}
