package io.hostql.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
    @TempDir
    Path dir;

    static FileEvent file(long nanos, String path) {
        return new FileEvent(nanos, FileEvent.IN_CREATE, 0, path.getBytes(StandardCharsets.UTF_8), "etc", 0);
    }

    static List<JournalEntry> drain(Journal.Reader r) {
        List<JournalEntry> out = new ArrayList<>();
        for (JournalEntry e; (e = r.next()) != null; ) out.add(e);
        return out;
    }

    static List<FileEvent> files(List<JournalEntry> entries) {
        return entries.stream().map(JournalEntry::event).filter(FileEvent.class::isInstance).map(FileEvent.class::cast).toList();
    }

    @Test
    void appendsAndReadsTypedRecordsWithRawPathBytes() {
        byte[] latin1 = {'/', 't', 'm', 'p', '/', (byte) 0xe9, (byte) 0xff};
        try (Journal j = Journal.open(dir)) {
            long i1 = j.append(new FileEvent(123, FileEvent.IN_MOVED_TO, 77, latin1, "tmp", FileEvent.SYNTHETIC));
            long i2 = j.append(new LossEvent(456, "inotify", 12, "IN_Q_OVERFLOW"));
            assertThat(i2).isGreaterThan(i1);
            List<JournalEntry> all = drain(j.reader());
            FileEvent f = files(all).get(0);
            assertThat(f.path()).isEqualTo(latin1);
            assertThat(f.cookie()).isEqualTo(77);
            assertThat(f.action()).isEqualTo("MOVED_TO");
            assertThat(f.flags()).isEqualTo(FileEvent.SYNTHETIC);
            assertThat(all).extracting(JournalEntry::event).contains(new LossEvent(456, "inotify", 12, "IN_Q_OVERFLOW"));
            assertThat(all.get(all.size() - 1).index()).isEqualTo(i2);
        }
    }

    @Test
    void hardwareEventsKeepTheirPropertiesAsReceived() {
        byte[] props = {'A', 'C', 'T', 'I', 'O', 'N', '=', 'a', 'd', 'd', 0, 'I', 'D', '=', (byte) 0xff, (byte) 0xfe};
        byte[] attrs = HardwareEvent.block(java.util.Map.of(HardwareEvent.ATTR_USB_VENDOR_ID, "0781"));
        try (Journal j = Journal.open(dir)) {
            j.append(new HardwareEvent(789, HardwareEvent.SOURCE_UDEV, HardwareEvent.SYNTHETIC, "add", "/devices/x", props, attrs));
            j.append(new HardwareEvent(790, HardwareEvent.SOURCE_KERNEL, 0, "remove", "/devices/y", new byte[0], null));
            List<HardwareEvent> hw = drain(j.reader()).stream().map(JournalEntry::event).filter(HardwareEvent.class::isInstance)
                    .map(HardwareEvent.class::cast).toList();
            assertThat(hw).hasSize(2);
            HardwareEvent h = hw.get(0);
            assertThat(h.captureNanos()).isEqualTo(789);
            assertThat(h.properties()).isEqualTo(props);
            assertThat(h.property("ACTION")).isEqualTo("add");
            assertThat(h.attribute(HardwareEvent.ATTR_USB_VENDOR_ID)).isEqualTo("0781");
            assertThat(h.synthetic()).isTrue();
            assertThat(h.source()).isEqualTo(HardwareEvent.SOURCE_UDEV);
            assertThat(hw.get(1).attributes()).isNull();
            assertThat(hw.get(1).seqnum()).isEqualTo(-1);
        }
    }

    @Test
    void publishersAppendFromTheirOwnThreads() throws Exception {
        try (Journal j = Journal.open(dir)) {
            Thread[] threads = new Thread[4];
            for (int t = 0; t < threads.length; t++) {
                int id = t;
                threads[t] = new Thread(() -> {
                    for (int i = 0; i < 500; i++) j.append(file(Clock.nowNanos(), "/thread/" + id + "/" + i));
                });
                threads[t].start();
            }
            for (Thread t : threads) t.join();
            assertThat(files(drain(j.reader()))).hasSize(2000);
        }
    }

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
    void aRecordFailingItsChecksumBecomesALossEntryAndReadingContinues() throws Exception {
        try (Journal j = Journal.open(dir)) {
            for (int i = 0; i < 20; i++) j.append(file(i, "/checksum/marker-" + i + "-end"));
        }
        flipByteIn(onlyCycleFile(), "marker-7-end");
        try (Journal j = Journal.open(dir)) {
            List<JournalEntry> all = drain(j.reader());
            assertThat(files(all)).hasSize(19).extracting(FileEvent::pathText).doesNotContain("/checksum/marker-7-end")
                    .contains("/checksum/marker-8-end", "/checksum/marker-19-end");
            assertThat(all).anySatisfy(e -> assertThat(e.event()).isInstanceOfSatisfying(LossEvent.class,
                    l -> assertThat(l.reason()).contains("failed its checksum")));
            assertThat(j.damagedCount()).isEqualTo(1);
        }
    }

    @Test
    void aZeroedHoleInTheCurrentCycleIsMovedAsideAndAppendsStayVisible() throws Exception {
        try (Journal j = Journal.open(dir)) {
            for (int i = 0; i < 50; i++) j.append(file(i, "/hole/marker-" + i + "-end"));
        }
        Path cycle = onlyCycleFile();
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
        }
    }

    @Test
    void aTruncatedCycleFileDoesNotStopTheJournal() throws Exception {
        try (Journal j = Journal.open(dir)) {
            for (int i = 0; i < 50; i++) j.append(file(i, "/trunc/" + i));
        }
        try (RandomAccessFile f = new RandomAccessFile(onlyCycleFile().toFile(), "rw")) {
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
        Path cycle = onlyCycleFile();
        try (RandomAccessFile f = new RandomAccessFile(cycle.toFile(), "rw")) {
            f.setLength(find(cycle, "/n/3000"));
        }
    }

    private static java.util.Set<Integer> numbers(List<JournalEntry> entries) {
        java.util.Set<Integer> out = new java.util.TreeSet<>();
        for (FileEvent f : files(entries)) if (f.pathText().startsWith("/n/")) out.add(Integer.parseInt(f.pathText().substring(3)));
        return out;
    }

    @Test
    void aTruncatedCycleWhoseRecordsEverySubscriberStoredLosesNothing() throws Exception {
        long[][] appended = sixThousand();
        truncateToHalf();
        List<Journal.Committed> stored = List.of(new Journal.Committed("fim", appended[5999][0], appended[5999][1]),
                new Journal.Committed("hostql_event_losses", appended[5999][0], appended[5999][1]));
        try (Journal j = Journal.open(dir, RollCycles.FAST_HOURLY, net.openhft.chronicle.core.time.SystemTimeProvider.INSTANCE, stored)) {
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
        try (Journal j = Journal.open(dir, RollCycles.FAST_HOURLY, net.openhft.chronicle.core.time.SystemTimeProvider.INSTANCE, stored)) {
            java.util.Set<Integer> readable = numbers(drain(j.reader()));
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
        try (Journal j = Journal.open(dir, RollCycles.FAST_HOURLY, net.openhft.chronicle.core.time.SystemTimeProvider.INSTANCE, caughtUp)) {
            assertThat(j.recoveries()).singleElement().satisfies(l -> {
                assertThat(l.count()).as("exactly the appends after the last record on disk").isEqualTo(40);
                assertThat(l.estimate()).isFalse();
                assertThat(l.reason()).contains("never reached the disk").contains("or the file was cut short")
                        .doesNotContain("while hostql was stopped");
            });
        }
    }

    @Test
    void retentionDeletesOldCyclesButNeverUnconsumedOnes() throws Exception {
        SetTimeProvider clock = new SetTimeProvider(1_700_000_000_000L * 1_000_000L);
        long minute = 60_000;
        try (Journal j = Journal.open(dir, RollCycles.FIVE_MINUTELY, clock)) {
            j.registerConsumer("fim");
            List<Long> firstOfCycle = new ArrayList<>();
            for (int c = 0; c < 6; c++) {
                firstOfCycle.add(j.append(file(c, "/cycle/" + c)));
                j.append(file(c, "/cycle/" + c + "b"));
                clock.advanceMillis(5 * minute);
            }
            assertThat(cycleFiles()).hasSize(6);
            assertThat(j.applyRetention(10 * minute, 0)).as("no acknowledgement yet: keep all").isZero();
            j.acknowledge("fim", firstOfCycle.get(2));
            clock.advanceMillis(5 * minute);
            int deleted = j.applyRetention(10 * minute, 0);
            assertThat(deleted).isEqualTo(2);
            assertThat(cycleFiles()).hasSize(4);
            j.acknowledge("fim", firstOfCycle.get(5));
            assertThat(j.applyRetention(0, 1)).as("over the byte cap: all but the current, consumed cycle").isEqualTo(3);
            assertThat(cycleFiles()).hasSize(1);
            Journal.Reader r = j.reader();
            assertThat(files(drain(r))).extracting(FileEvent::pathText).containsExactly("/cycle/5", "/cycle/5b");
        }
    }

    private List<Path> cycleFiles() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".cq4")).toList();
        }
    }

    private Path onlyCycleFile() throws Exception {
        List<Path> files = cycleFiles();
        assertThat(files).hasSize(1);
        return files.get(0);
    }

    private static long find(Path file, String marker) throws Exception {
        byte[] all = Files.readAllBytes(file);
        byte[] m = marker.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + m.length <= all.length; i++) {
            for (int k = 0; k < m.length; k++) if (all[i + k] != m[k]) continue outer;
            return i;
        }
        throw new AssertionError(marker + " not in " + file);
    }

    private static void flipByteIn(Path file, String marker) throws Exception {
        long at = find(file, marker);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at + 2);
            int b = f.read();
            f.seek(at + 2);
            f.write(b ^ 0x5a);
        }
    }

    private static void zeroAround(Path file, String marker, int length) throws Exception {
        long at = find(file, marker) - 64;
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            f.write(new byte[length]);
        }
    }
}
