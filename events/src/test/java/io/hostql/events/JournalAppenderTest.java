package io.hostql.events;

import static io.hostql.events.JournalFixtures.drain;
import static io.hostql.events.JournalFixtures.file;
import static io.hostql.events.JournalFixtures.files;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The write side: typed records framed as written, from several threads, recorded in the head, signalled. (Storage faults: {@link JournalStorageFaultTest}.) */
class JournalAppenderTest {
    @TempDir
    Path dir;

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

    /**
     * Chronicle takes one document of at most a quarter of its block size, wherever the write position is (here across
     * several 4 MiB chunks); one byte more used to fail inside Chronicle and degrade the journal as a storage fault.
     */
    @Test
    void anEventFillingOneDocumentIsWrittenAnywhereAndOneByteMoreIsRefusedWithoutDegrading() {
        try (Journal j = Journal.open(dir)) {
            for (int i = 0; i < 10; i++) {
                byte[] full = new byte[AuditRecordsEvent.MAX_RECORDS_BYTES];
                full[full.length - 1] = (byte) i;
                assertThat(j.append(new AuditRecordsEvent(i, AuditRecordsEvent.COMPLETE, full))).isNotNegative();
                assertThat(j.append(new LossEvent(i, "test", i, "x".repeat(i * 997)))).isNotNegative(); // shifts the next one
            }
            byte[] over = new byte[AuditRecordsEvent.MAX_RECORDS_BYTES + 1];
            assertThatThrownBy(() -> j.append(new AuditRecordsEvent(99, AuditRecordsEvent.COMPLETE, over)))
                    .isInstanceOf(RecordTooLargeException.class)
                    .hasMessageContaining("AUDIT_RECORDS event of " + (Journal.MAX_EVENT_BYTES + 1) + " bytes")
                    .hasMessageContaining("limit of " + Journal.MAX_EVENT_BYTES);
            assertThat(j.storageStatus().degraded()).isFalse();
            assertThat(j.append(new LossEvent(100, "test", 1, "after"))).isNotNegative();
            List<AuditRecordsEvent> read = drain(j.reader()).stream().map(JournalEntry::event).filter(AuditRecordsEvent.class::isInstance)
                    .map(AuditRecordsEvent.class::cast).toList();
            assertThat(read).hasSize(10);
            for (int i = 0; i < 10; i++) {
                assertThat(read.get(i).records()).hasSize(AuditRecordsEvent.MAX_RECORDS_BYTES);
                assertThat(read.get(i).records()[AuditRecordsEvent.MAX_RECORDS_BYTES - 1]).isEqualTo((byte) i);
            }
        }
        assertThat(Journal.MAX_DOCUMENT_BYTES).isEqualTo(1 << 20);
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
    void theHeadHoldsTheLastAppendAcrossClose() throws Exception {
        long last;
        try (Journal j = Journal.open(dir)) {
            j.append(file(41, "/head/0"));
            last = j.append(file(42, "/head/1"));
            assertThat(j.lastIndex()).isEqualTo(last);
        }
        JournalHead head = JournalHead.map(dir);
        assertThat(head.index()).isEqualTo(last);
        assertThat(head.captureNanos()).isEqualTo(42);
    }

    @Test
    void everyWrittenAppendIsCountedByItsType() {
        try (Journal j = Journal.open(dir)) {
            long opened = j.appendedCount(); // the "journal opened" system record
            assertThat(j.appendedCount(Set.of(EventType.SYSTEM))).isEqualTo(opened).isPositive();
            for (int i = 0; i < 3; i++) j.append(file(i, "/count/" + i));
            j.append(new LossEvent(9, "inotify", 1, "IN_Q_OVERFLOW"));
            assertThat(j.appendedCount()).isEqualTo(opened + 4);
            assertThat(j.appendedCount(Set.of(EventType.FILE))).isEqualTo(3);
            assertThat(j.appendedCount(Set.of(EventType.FILE, EventType.LOSS))).isEqualTo(4);
            assertThat(j.appendedCount(Set.of(EventType.PROCESS))).isZero();
            assertThat(j.storageStatus().degraded()).isFalse();
            assertThat(j.storageStatus().describe()).isEqualTo("journal: ok");
        }
    }

    /**
     * Frames are copied into the mapped file in one bulk write: every byte comes back as written, for records of
     * every size, across the file's 4 MiB chunks (about 24 MiB here) and across a roll to the next cycle.
     */
    @Test
    void recordsComeBackByteForByteAcrossChunksAndCycles() throws Exception {
        SetTimeProvider clock = new SetTimeProvider(1_700_000_000_000L * 1_000_000L);
        Random random = new Random(15);
        List<byte[]> written = new ArrayList<>();
        try (Journal j = Journal.open(dir, RollCycles.FIVE_MINUTELY, clock)) {
            for (int i = 0; i < 2400; i++) {
                if (i == 1800) clock.advanceMillis(5 * 60_000);
                // now and then close to the largest record Chronicle takes (a quarter of its 4 MiB block)
                byte[] records = new byte[i % 300 == 150 ? 1_040_000 - random.nextInt(64) : i % 100 == 0 ? 60_000 : 1 + random.nextInt(12_000)];
                random.nextBytes(records);
                written.add(records);
                assertThat(j.append(new AuditRecordsEvent(i, AuditRecordsEvent.COMPLETE, records))).isNotNegative();
            }
            assertThat(j.storageStatus().degraded()).isFalse();
            List<AuditRecordsEvent> read = drain(j.reader()).stream().map(JournalEntry::event).filter(AuditRecordsEvent.class::isInstance)
                    .map(AuditRecordsEvent.class::cast).toList();
            assertThat(read).hasSize(written.size());
            for (int i = 0; i < read.size(); i++) {
                assertThat(read.get(i).captureNanos()).isEqualTo(i);
                assertThat(read.get(i).records()).as("record " + i).isEqualTo(written.get(i));
            }
        }
        assertThat(JournalFixtures.cycleFiles(dir)).hasSize(2);
    }
}
