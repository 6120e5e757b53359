package io.hostql.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A full file system under the journal: appends are counted, not written, and the gap becomes one exact loss record. */
class JournalStorageFaultTest {
    @TempDir
    Path tmp;

    @Test
    void aFullDiskIsADegradedPeriodWithOneExactLossRecordNotADeadThread() throws Exception {
        Assumptions.assumeTrue(SmallTmpfs.available(), "mounting a tmpfs needs root");
        try (SmallTmpfs fs = new SmallTmpfs(tmp.resolve("fs"), 12); Journal j = Journal.open(fs.path().resolve("journal"))) {
            for (int i = 0; i < 100; i++) assertThat(j.append(JournalFixtures.file(Clock.nowNanos(), "/before/" + i))).isNotNegative();
            Path filler = fs.fill();
            assertThat(fs.usableSpace()).isLessThan(StorageGuard.LOW_FREE);
            Thread.sleep(400); // the guard looks at the free space at most every 250 ms
            int whileFull = 5000;
            for (int i = 0; i < whileFull; i++) {
                // Without the guard, this wrote through mmap into pages tmpfs cannot back: SIGBUS / InternalError.
                assertThat(j.append(JournalFixtures.file(Clock.nowNanos(), "/while-full/" + i))).isEqualTo(-1);
            }
            StorageStatus s = j.storageStatus();
            assertThat(s.degraded()).isTrue();
            assertThat(s.dropped()).isEqualTo(whileFull);
            assertThat(s.droppedByType()).containsEntry(EventType.FILE, (long) whileFull);
            assertThat(s.describe()).contains("DEGRADED", "5000 events not captured");

            Files.delete(filler);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (j.storageStatus().degraded() && System.nanoTime() < deadline) {
                j.recheckStorage();
                Thread.sleep(20);
            }
            assertThat(j.storageStatus().degraded()).isFalse();
            for (int i = 0; i < 100; i++) assertThat(j.append(JournalFixtures.file(Clock.nowNanos(), "/after/" + i))).isNotNegative();

            try (Journal.Reader r = j.reader()) {
                List<JournalEntry> all = JournalFixtures.drain(r);
                assertThat(JournalFixtures.files(all)).hasSize(200);
                List<LossEvent> losses = all.stream().map(JournalEntry::event).filter(LossEvent.class::isInstance).map(LossEvent.class::cast).toList();
                assertThat(losses).hasSize(1);
                assertThat(losses.get(0).count()).isEqualTo(whileFull);
                assertThat(losses.get(0).source()).isEqualTo("journal");
                assertThat(losses.get(0).reason()).contains("could not be written", "file 5000", "events captured from");
                // The loss record sits between the last record before and the first after: readers did not stall on a hole.
                int lossAt = all.indexOf(all.stream().filter(e -> e.event() instanceof LossEvent).findFirst().orElseThrow());
                assertThat(all.get(lossAt - 1).event()).isInstanceOf(FileEvent.class);
                assertThat(new String(((FileEvent) all.get(lossAt + 1).event()).path())).isEqualTo("/after/0");
            }
        }
    }
}
