package io.hostql.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Wake-ups: a parked reader is woken by an append of its types, and only by those. */
class AppendSignalTest {
    private static final long LONG_WAIT = TimeUnit.SECONDS.toNanos(20);

    @Test
    void countsAppendsInTotalAndPerType() {
        AppendSignal s = new AppendSignal();
        s.appended(EventType.FILE);
        s.appended(EventType.FILE);
        s.appended(EventType.LOSS);
        assertThat(s.count(null)).isEqualTo(3);
        assertThat(s.count(Set.of(EventType.FILE))).isEqualTo(2);
        assertThat(s.count(Set.of(EventType.FILE, EventType.LOSS))).isEqualTo(3);
        assertThat(s.count(Set.of(EventType.PROCESS))).isZero();
    }

    @Test
    void anAppendSinceTheReaderLookedDoesNotPark() {
        AppendSignal s = new AppendSignal();
        long seen = s.count(null);
        s.appended(EventType.FILE);
        long t0 = System.nanoTime();
        s.await(null, seen, LONG_WAIT);
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void aReaderOfOneTypeIsWokenByThatTypeAndNotByOthers() throws Exception {
        AppendSignal s = new AppendSignal();
        Set<EventType> hardware = Set.of(EventType.HARDWARE);
        // Counted here, not in the reader: a reader that starts late would count the hardware append below and sleep on.
        long seen = s.count(hardware);
        Thread reader = new Thread(() -> s.await(hardware, seen, LONG_WAIT));
        reader.start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (LockSupport.getBlocker(reader) != s) { // parked in await, so the file append below is one it could see
            if (System.nanoTime() > end) throw new AssertionError("the reader did not park in await within 10 s");
            Thread.sleep(5);
        }
        s.appended(EventType.FILE);
        reader.join(300);
        assertThat(reader.isAlive()).as("a file event does not wake a hardware reader").isTrue();
        s.appended(EventType.HARDWARE);
        reader.join(TimeUnit.SECONDS.toMillis(5));
        assertThat(reader.isAlive()).as("woken by its type, long before its timeout").isFalse();
    }

    @Test
    void withNothingAppendedTheReaderWakesAtItsTimeout() {
        AppendSignal s = new AppendSignal();
        long t0 = System.nanoTime();
        s.await(null, s.count(null), TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(90));
    }

    @Test
    void theJournalsAppendsWakeItsReaders(@TempDir Path dir) throws Exception {
        try (Journal j = Journal.open(dir)) {
            long seen = j.appendedCount();
            Thread reader = new Thread(() -> j.awaitAppend(seen, LONG_WAIT));
            reader.start();
            Thread.sleep(100);
            j.append(JournalFixtures.file(1, "/wake"));
            reader.join(TimeUnit.SECONDS.toMillis(5));
            assertThat(reader.isAlive()).isFalse();
            assertThat(j.appendedCount()).isEqualTo(seen + 1);
        }
    }
}
