package io.hostql.events;

import static io.hostql.events.JournalFixtures.drain;
import static io.hostql.events.JournalFixtures.file;
import static io.hostql.events.JournalFixtures.files;
import static io.hostql.events.JournalFixtures.find;
import static io.hostql.events.JournalFixtures.onlyCycleFile;
import static io.hostql.events.JournalFixtures.zeroAround;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recovery at open: damaged files moved aside and salvaged, a head ahead of the disk, and losses counted against what the consumers stored. */
class JournalRecoveryTest {
    @TempDir
    Path dir;

    @Test
    void aZeroedHoleInTheCurrentCycleIsMovedAsideAndAppendsStayVisible() throws Exception {
        try (Journal j = Journal.open(dir)) {
            for (int i = 0; i < 50; i++) j.append(file(i, "/hole/marker-" + i + "-end"));
        }
        Path cycle = onlyCycleFile(dir);
        zeroAround(cycle, "marker-20-end", 256);
        try (Journal j = Journal.open(dir)) {
            assertThat(j.recoveries()).hasSize(1);
            assertThat(j.recoveries().get(0).reason()).contains("damaged").contains("moved aside").contains("salvaged");
            assertThat(Files.list(dir.resolve(Journal.DAMAGED_DIR)).count()).isEqualTo(1);
            long idx = j.append(file(99, "/after/recovery"));
            List<JournalEntry> all = drain(j.reader());
            List<String> paths = files(all).stream().map(FileEvent::pathText).toList();
            assertThat(paths).contains("/after/recovery", "/hole/marker-0-end", "/hole/marker-18-end", "/hole/marker-49-end");
            assertThat(paths).as("records in the hole are lost, all others salvaged").hasSizeBetween(40, 50);
            assertThat(all).anySatisfy(e -> assertThat(e.event()).isInstanceOf(LossEvent.class));
            assertThat(all.get(all.size() - 1).index()).isEqualTo(idx);
            assertThat(j.damagedCount()).isEqualTo(1);
        }
    }

    @Test
    void salvagedRecordsKeepTheirCaptureTimeAndOrder() throws Exception {
        try (Journal j = Journal.open(dir)) {
            for (int i = 0; i < 50; i++) j.append(file(1000 + i, "/keep/marker-" + i + "-end"));
        }
        zeroAround(onlyCycleFile(dir), "marker-30-end", 256);
        try (Journal j = Journal.open(dir)) {
            List<FileEvent> salvaged = files(drain(j.reader()));
            assertThat(salvaged).isNotEmpty().allSatisfy(f -> assertThat(f.pathText()).isEqualTo("/keep/marker-" + (f.captureNanos() - 1000) + "-end"));
            assertThat(salvaged).extracting(FileEvent::captureNanos).isSorted();
        }
    }

    @Test
    void aTruncatedCycleFileDoesNotStopTheJournal() throws Exception {
        try (Journal j = Journal.open(dir)) {
            for (int i = 0; i < 50; i++) j.append(file(i, "/trunc/" + i));
        }
        try (RandomAccessFile f = new RandomAccessFile(onlyCycleFile(dir).toFile(), "rw")) {
            f.setLength(4096);
        }
        try (Journal j = Journal.open(dir)) {
            j.append(file(99, "/after/truncation"));
            assertThat(files(drain(j.reader()))).extracting(FileEvent::pathText).contains("/after/truncation");
            assertThat(j.recoveries()).isNotEmpty();
        }
    }

    /** 6000 file events "/n/<i>" captured in order; returns each one's index and capture time. */
    private long[][] sixThousand() {
        long[][] out = new long[6000][];
        try (Journal j = Journal.open(dir)) {
            for (int i = 0; i < 6000; i++) {
                long nanos = Clock.nowNanos();
                out[i] = new long[] {j.append(file(nanos, "/n/" + i)), nanos};
            }
        }
        return out;
    }

    private void truncateToHalf() throws Exception {
        Path cycle = onlyCycleFile(dir);
        try (RandomAccessFile f = new RandomAccessFile(cycle.toFile(), "rw")) {
            f.setLength(find(cycle, "/n/3000"));
        }
    }

    private static Set<Integer> numbers(List<JournalEntry> entries) {
        Set<Integer> out = new TreeSet<>();
        for (FileEvent f : files(entries)) if (f.pathText().startsWith("/n/")) out.add(Integer.parseInt(f.pathText().substring(3)));
        return out;
    }

    private Journal reopen(List<Journal.Committed> stored) {
        return Journal.open(dir, RollCycles.FAST_HOURLY, SystemTimeProvider.INSTANCE, stored);
    }

    @Test
    void aTruncatedCycleWhoseRecordsEverySubscriberStoredLosesNothing() throws Exception {
        long[][] appended = sixThousand();
        truncateToHalf();
        List<Journal.Committed> stored = List.of(new Journal.Committed("fim", appended[5999][0], appended[5999][1]),
                new Journal.Committed("hostql_event_losses", appended[5999][0], appended[5999][1]));
        try (Journal j = reopen(stored)) {
            assertThat(j.recoveries()).as("no loss record: every table holds every record").isEmpty();
            assertThat(j.damageReports()).singleElement().asString()
                    .contains("nothing is missing from the tables").doesNotContain("lost");
            assertThat(drain(j.reader())).noneMatch(e -> e.event() instanceof LossEvent);
        }
    }

    @Test
    void aTruncatedCycleCountsExactlyTheRecordsNoSubscriberHadStored() throws Exception {
        long[][] appended = sixThousand();
        truncateToHalf();
        // fim stored up to /n/999, the loss subscriber all of them: the slowest decides.
        List<Journal.Committed> stored = List.of(new Journal.Committed("fim", appended[999][0], appended[999][1]),
                new Journal.Committed("hostql_event_losses", appended[5999][0], appended[5999][1]));
        try (Journal j = reopen(stored)) {
            Set<Integer> readable = numbers(drain(j.reader()));
            long notStoredButReadable = readable.stream().filter(n -> n >= 1000).count();
            long expected = 5000 - notStoredButReadable;
            assertThat(expected).as("the truncation took records fim had not stored").isGreaterThan(2000);
            assertThat(j.recoveries()).singleElement().satisfies(l -> {
                assertThat(l.count()).isEqualTo(expected);
                assertThat(l.estimate()).isFalse();
                assertThat(l.reason()).contains(expected + " records are lost to the tables (not yet stored by fim)")
                        .doesNotContainPattern("index [0-9a-f]{8,}");
            });
        }
    }

    @Test
    void withoutPositionsEveryUnreadableRecordIsLostAndNoCountIsMinusOne() throws Exception {
        sixThousand();
        truncateToHalf();
        try (Journal j = Journal.open(dir)) {
            long readable = numbers(drain(j.reader())).size();
            assertThat(j.recoveries()).singleElement().satisfies(l -> {
                assertThat(l.count()).isEqualTo(6000 - readable);
                assertThat(l.estimate()).isFalse();
            });
        }
        // Reopened: the loss record is read back with its count, and nothing new is reported.
        try (Journal j = Journal.open(dir)) {
            assertThat(j.recoveries()).isEmpty();
            assertThat(drain(j.reader())).filteredOn(e -> e.event() instanceof LossEvent).extracting(e -> ((LossEvent) e.event()).count())
                    .allMatch(c -> c > 0);
        }
    }

    @Test
    void aHeadAheadOfTheFileIsReportedAsRecordsThatNeverReachedTheDisk() throws Exception {
        long[][] appended = sixThousand();
        // The head says 40 more appends happened than the file holds (a full disk, or a crash before they were written).
        Path headFile = dir.resolve("head");
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(Files.readAllBytes(headFile)); // big-endian, as mapped
        b.putLong(0, appended[5999][0] + 40);
        b.putLong(8, appended[5999][1] + 40);
        Files.write(headFile, b.array());
        List<Journal.Committed> caughtUp = List.of(new Journal.Committed("fim", appended[5999][0], appended[5999][1]));
        try (Journal j = reopen(caughtUp)) {
            assertThat(j.recoveries()).singleElement().satisfies(l -> {
                assertThat(l.count()).as("exactly the appends after the last record on disk").isEqualTo(40);
                assertThat(l.estimate()).isFalse();
                assertThat(l.reason()).contains("never reached the disk").contains("or the file was cut short")
                        .doesNotContain("while hostql was stopped");
            });
        }
    }

    @Test
    void aNewestFileThatIsGoneIsReportedFromTheHeadAsAtLeastItsRecords() throws Exception {
        SetTimeProvider clock = new SetTimeProvider(1_700_000_000_000L * 1_000_000L);
        try (Journal j = Journal.open(dir, RollCycles.FIVE_MINUTELY, clock)) {
            for (int i = 0; i < 10; i++) j.append(file(i, "/kept/" + i));
            clock.advanceMillis(5 * 60_000);
            for (int i = 0; i < 5; i++) j.append(file(100 + i, "/gone/" + i));
        }
        List<Path> cycles = JournalFixtures.cycleFiles(dir).stream().sorted().toList();
        Files.delete(cycles.get(1));
        try (Journal j = Journal.open(dir, RollCycles.FIVE_MINUTELY, clock)) {
            assertThat(j.recoveries()).singleElement().satisfies(l -> {
                assertThat(l.count()).isEqualTo(5);
                assertThat(l.estimate()).as("files between would not be counted").isTrue();
                assertThat(l.reason()).contains(cycles.get(1).getFileName() + " is missing").contains("at least 5 records are lost");
            });
            assertThat(files(drain(j.reader()))).hasSize(10);
        }
    }

    @Test
    void aSoundJournalReopensWithNoReport() throws Exception {
        try (Journal j = Journal.open(dir)) {
            for (int i = 0; i < 10; i++) j.append(file(i, "/sound/" + i));
        }
        try (Journal j = Journal.open(dir)) {
            assertThat(j.recoveries()).isEmpty();
            assertThat(j.damageReports()).isEmpty();
            assertThat(j.damagedCount()).isZero();
            assertThat(Files.exists(dir.resolve(Journal.DAMAGED_DIR))).isFalse();
            assertThat(drain(j.reader())).extracting(JournalEntry::event).filteredOn(SystemEvent.class::isInstance).hasSize(2);
        }
    }
}
