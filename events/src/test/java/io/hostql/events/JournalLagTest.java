package io.hostql.events;

import static io.hostql.events.JournalFixtures.file;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each consumer's lag behind the journal's head, counted across cycles, whatever the other consumers do. */
class JournalLagTest {
    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path dir;

    private final SetTimeProvider clock = new SetTimeProvider(1_700_000_000_000L * 1_000_000L);

    @Test
    void everyConsumerIsMeasuredAgainstTheHeadAcrossCycles() {
        try (Journal j = Journal.open(dir, RollCycles.FIVE_MINUTELY, clock)) {
            long opened;
            try (Journal.Reader r = j.reader()) {
                opened = r.next().event().captureNanos(); // the "journal opened" record
            }
            long base = opened + SECOND / 2; // the records below come after it, however long the open took
            List<Long> indexes = new ArrayList<>();
            for (int c = 0; c < 4; c++) { // four five-minute cycles of three records, captured a second apart
                for (int r = 0; r < 3; r++) indexes.add(j.append(file(base + (c * 3 + r) * SECOND, "/c" + c + "/" + r)));
                clock.advanceMillis(5 * 60_000);
            }
            long head = indexes.get(indexes.size() - 1);
            j.registerConsumer("caught-up");
            j.registerConsumer("stalled");
            j.registerConsumer("new");
            j.acknowledge("caught-up", head);
            j.acknowledge("stalled", indexes.get(1)); // the second record of the first cycle: ten records after it

            JournalLag lag = j.lag();
            assertThat(lag.headIndex()).isEqualTo(head);
            assertThat(lag.headCaptureNanos()).isEqualTo(base + 11 * SECOND);
            assertThat(lag.consumers()).containsExactly(
                    new JournalLag.Consumer("caught-up", head, 0, 0),
                    new JournalLag.Consumer("new", -1, 13, 11), // the "journal opened" record (half a second before base) and the twelve
                    new JournalLag.Consumer("stalled", indexes.get(1), 10, 10));
        }
    }

    @Test
    void aWholeStalledPipelineShowsItsLagAndAnEmptyJournalNone() {
        try (Journal j = Journal.open(dir, RollCycles.FIVE_MINUTELY, clock)) {
            long opened = j.lastIndex(); // the "journal opened" record
            j.registerConsumer("a");
            j.registerConsumer("b");
            j.acknowledge("a", opened);
            j.acknowledge("b", opened);
            assertThat(j.lag().consumers()).extracting(JournalLag.Consumer::records).containsExactly(0L, 0L);
            long base = Clock.nowNanos();
            for (int i = 0; i < 5; i++) j.append(file(base + i * SECOND, "/f" + i));
            assertThat(j.lag().consumers()).as("both stopped at the same record: both behind, not level with each other")
                    .extracting(JournalLag.Consumer::records).containsExactly(5L, 5L);
        }
    }

    @Test
    void theLagIsMeasuredAgainAfterAnAppendOrAnAcknowledgementAndNotOtherwise() {
        try (Journal j = Journal.open(dir, RollCycles.FIVE_MINUTELY, clock)) {
            long opened = j.lastIndex();
            j.registerConsumer("a");
            j.acknowledge("a", opened);
            JournalLag idle = j.lag();
            assertThat(j.lag()).as("nothing appended or acknowledged: the figure measured before, no Chronicle reads").isSameAs(idle);

            long base = Clock.nowNanos();
            long first = j.append(file(base, "/f0"));
            long second = j.append(file(base + 2 * SECOND, "/f1"));
            JournalLag behind = j.lag();
            assertThat(behind.headIndex()).isEqualTo(second);
            assertThat(behind.headCaptureNanos()).isEqualTo(base + 2 * SECOND);
            assertThat(behind.consumers()).hasSize(1);
            assertThat(behind.consumers().get(0).records()).isEqualTo(2);
            assertThat(behind.consumers().get(0).seconds()).as("from the journal's opening record, just before the first").isGreaterThanOrEqualTo(2);

            j.acknowledge("a", first);
            assertThat(j.lag().consumers()).containsExactly(new JournalLag.Consumer("a", first, 1, 2));
            j.acknowledge("a", second);
            assertThat(j.lag().consumers()).containsExactly(new JournalLag.Consumer("a", second, 0, 0));
        }
    }
}
