package io.hostql.events;

import static io.hostql.events.JournalFixtures.drain;
import static io.hostql.events.JournalFixtures.file;
import static io.hostql.events.JournalFixtures.files;
import static io.hostql.events.JournalFixtures.flipByteIn;
import static io.hostql.events.JournalFixtures.onlyCycleFile;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The read side: in order, filtered by type, resumed, sought by time, and damage as loss entries. */
class JournalTailerTest {
    @TempDir
    Path dir;

    @Test
    void resumesAfterAConsumedRecordAcrossReopen() {
        long idx, nanos;
        try (Journal j = Journal.open(dir)) {
            for (int i = 0; i < 10; i++) j.append(file(1000 + i, "/a/" + i));
            List<JournalEntry> all = drain(j.reader());
            JournalEntry fifth = all.stream().filter(e -> e.event() instanceof FileEvent f && f.pathText().equals("/a/4")).findFirst().orElseThrow();
            idx = fifth.index();
            nanos = fifth.event().captureNanos();
        }
        try (Journal j = Journal.open(dir)) {
            Journal.Reader r = j.reader();
            r.resumeAfter(idx, nanos);
            assertThat(files(drain(r))).extracting(FileEvent::pathText).containsExactly("/a/5", "/a/6", "/a/7", "/a/8", "/a/9");
        }
    }

    @Test
    void resumingAfterAnIndexThatNowHoldsAnotherRecordGoesByCaptureTime() {
        try (Journal j = Journal.open(dir)) {
            long base = Clock.nowNanos();
            long[] index = new long[10];
            for (int i = 0; i < 10; i++) index[i] = j.append(file(base + i * 1000L, "/r/" + i));
            try (Journal.Reader r = j.reader()) {
                // As after a recovery that reused index[2] for another record: the time of /r/6 decides.
                r.resumeAfter(index[2], base + 6 * 1000L);
                assertThat(files(drain(r))).extracting(FileEvent::pathText).containsExactly("/r/7", "/r/8", "/r/9");
            }
        }
    }

    @Test
    void seeksByCaptureTime() {
        try (Journal j = Journal.open(dir)) {
            long base = Clock.nowNanos();
            for (int i = 0; i < 1000; i++) j.append(file(base + 1_000_000L * i, "/t/" + i));
            Journal.Reader r = j.reader();
            r.seekTime(base + 1_000_000L * 637 - 5);
            JournalEntry e = r.next();
            while (!(e.event() instanceof FileEvent)) e = r.next();
            assertThat(((FileEvent) e.event()).pathText()).isEqualTo("/t/637");
        }
    }

    @Test
    void seekingBeforeTheFirstRecordStartsAtItAndToTheEndFindsNothing() {
        try (Journal j = Journal.open(dir, RollCycles.FAST_HOURLY)) {
            long base = Clock.nowNanos();
            for (int i = 0; i < 5; i++) j.append(file(base + i, "/s/" + i));
            try (Journal.Reader r = j.reader()) {
                r.seekTime(0);
                assertThat(files(drain(r))).hasSize(5);
                r.toStart();
                assertThat(files(drain(r))).hasSize(5);
                r.toEnd();
                assertThat(r.next()).isNull();
                j.append(file(base + 9, "/s/after-end"));
                assertThat(files(drain(r))).extracting(FileEvent::pathText).containsExactly("/s/after-end");
            }
        }
    }

    @Test
    void aFilteredReaderSkipsOtherTypesWithTheirCaptureTimeAndDecodesItsOwn() {
        try (Journal j = Journal.open(dir)) {
            j.append(file(10, "/f/0"));
            long hwIndex = j.append(new HardwareEvent(11, HardwareEvent.SOURCE_KERNEL, 0, "add", "/devices/z", new byte[0], null));
            j.append(file(12, "/f/1"));
            try (Journal.Reader r = j.reader(Set.of(EventType.HARDWARE))) {
                List<JournalEntry> all = drain(r);
                assertThat(all).filteredOn(e -> e.event() instanceof HardwareEvent).singleElement()
                        .satisfies(e -> assertThat(e.index()).isEqualTo(hwIndex));
                assertThat(files(all)).as("not decoded").isEmpty();
                assertThat(all).filteredOn(e -> e.event() instanceof SkippedEvent s && s.type() == EventType.FILE)
                        .extracting(e -> e.event().captureNanos()).containsExactly(10L, 12L);
            }
        }
    }

    @Test
    void aFilteredReaderPassesADamagedRecordOfAnotherTypeWhichTheReaderOfItsTypeReports() throws Exception {
        try (Journal j = Journal.open(dir)) {
            j.append(new HardwareEvent(1, HardwareEvent.SOURCE_KERNEL, 0, "add", "/devices/before", new byte[0], null));
            j.append(file(2, "/skip/marker-damaged-end"));
            j.append(new HardwareEvent(3, HardwareEvent.SOURCE_KERNEL, 0, "add", "/devices/after", new byte[0], null));
        }
        flipByteIn(onlyCycleFile(dir), "marker-damaged-end");
        try (Journal j = Journal.open(dir)) {
            try (Journal.Reader r = j.reader(Set.of(EventType.HARDWARE))) {
                List<JournalEntry> all = drain(r);
                assertThat(all).filteredOn(e -> e.event() instanceof HardwareEvent).hasSize(2);
                assertThat(all).as("its payload is not checked here").noneMatch(e -> e.event() instanceof LossEvent);
                assertThat(all).filteredOn(e -> e.event() instanceof SkippedEvent s && s.type() == EventType.FILE)
                        .extracting(e -> e.event().captureNanos()).containsExactly(2L);
            }
            try (Journal.Reader r = j.reader(Set.of(EventType.FILE))) {
                assertThat(drain(r)).anySatisfy(e -> assertThat(e.event()).isInstanceOfSatisfying(LossEvent.class,
                        l -> assertThat(l.reason()).contains("failed its checksum")));
            }
        }
    }

    @Test
    void newestFindsTheLastRecordOfTheGivenTypes() {
        try (Journal j = Journal.open(dir)) {
            j.append(file(1, "/n/0"));
            long last = j.append(file(2, "/n/1"));
            j.append(new LossEvent(3, "inotify", 1, "IN_Q_OVERFLOW"));
            assertThat(j.newest(Set.of(EventType.FILE))).satisfies(e -> {
                assertThat(e.index()).isEqualTo(last);
                assertThat(((FileEvent) e.event()).pathText()).isEqualTo("/n/1");
            });
            assertThat(j.newest(null).event()).isInstanceOf(LossEvent.class);
            assertThat(j.newest(Set.of(EventType.PROCESS))).isNull();
        }
    }

    @Test
    void aRecordFailingItsChecksumBecomesALossEntryAndReadingContinues() throws Exception {
        try (Journal j = Journal.open(dir)) {
            for (int i = 0; i < 20; i++) j.append(file(i, "/checksum/marker-" + i + "-end"));
        }
        flipByteIn(onlyCycleFile(dir), "marker-7-end");
        try (Journal j = Journal.open(dir)) {
            List<JournalEntry> all = drain(j.reader());
            assertThat(files(all)).hasSize(19).extracting(FileEvent::pathText).doesNotContain("/checksum/marker-7-end")
                    .contains("/checksum/marker-8-end", "/checksum/marker-19-end");
            assertThat(all).anySatisfy(e -> assertThat(e.event()).isInstanceOfSatisfying(LossEvent.class,
                    l -> assertThat(l.reason()).contains("failed its checksum").contains("record 9 of journal file"))); // the 9th: after the "journal opened" record
            assertThat(j.damagedCount()).isEqualTo(1);
        }
    }

    @Test
    void aHoleInAnOlderCycleIsSkippedToTheNextCycleAsALossEntry() throws Exception {
        SetTimeProvider clock = new SetTimeProvider(1_700_000_000_000L * 1_000_000L);
        try (Journal j = Journal.open(dir, RollCycles.FIVE_MINUTELY, clock)) {
            for (int i = 0; i < 50; i++) j.append(file(i, "/old/marker-" + i + "-end"));
            clock.advanceMillis(5 * 60_000);
            for (int i = 0; i < 5; i++) j.append(file(100 + i, "/new/" + i));
        }
        List<Path> cycles = JournalFixtures.cycleFiles(dir).stream().sorted().toList();
        assertThat(cycles).hasSize(2);
        JournalFixtures.zeroAround(cycles.get(0), "marker-20-end", 256);
        try (Journal j = Journal.open(dir, RollCycles.FIVE_MINUTELY, clock); Journal.Reader r = j.reader()) {
            assertThat(j.recoveries()).as("only the newest cycle is checked at open").isEmpty();
            List<JournalEntry> before = drain(r);
            assertThat(files(before)).extracting(FileEvent::pathText).contains("/old/marker-0-end").doesNotContain("/new/0");
            Thread.sleep(JournalTailer.HOLE_NANOS / 1_000_000 + 100);
            List<JournalEntry> after = drain(r);
            assertThat(after.get(0).event()).isInstanceOfSatisfying(LossEvent.class, l -> {
                assertThat(l.reason()).contains("cannot be read in order").contains("skipped to the next file");
                assertThat(l.count()).isPositive();
                assertThat(l.estimate()).isTrue();
            });
            assertThat(files(after)).extracting(FileEvent::pathText).containsExactly("/new/0", "/new/1", "/new/2", "/new/3", "/new/4");
            // The zeroed bytes may also cut the record before the hole: that one fails its checksum, and is counted too.
            assertThat(j.damagedCount()).isEqualTo(JournalFixtures.losses(before).size() + JournalFixtures.losses(after).size());
        }
    }
}
