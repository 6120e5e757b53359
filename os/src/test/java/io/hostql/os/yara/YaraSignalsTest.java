package io.hostql.os.yara;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM takes SIGSEGV for its own use (implicit null checks in compiled code, safepoint polls): libyara 4.2's
 * try/catch swapped in a SIGSEGV handler of its own for each scan, which returns for a fault that is not its own, so
 * another thread's null check or safepoint poll during a scan faulted again forever (a test JVM spun 100% for 25 minutes
 * in CI). Scans run without libyara's handler: two threads scanning at once while another throws null pointer exceptions
 * from compiled code and a fourth asks for collections all end, and the process's SIGSEGV handler is the JVM's after.
 */
class YaraSignalsTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void scansAndTheJvmsOwnFaultsOnOtherThreadsBothGoOn() throws Exception {
        Assumptions.assumeTrue(Yara.problem() == null, "libyara is not installed: " + Yara.problem());
        Path target = Files.writeString(dir.resolve("t.txt"), "xxxxHOSTQL-YARA-MARKER yyy\n".repeat(200_000));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong npes = new AtomicLong(), collections = new AtomicLong();
        Thread faults = new Thread(() -> { // compiled code: loop safepoint polls, and implicit null checks
            Object[] maybe = {new Object(), null};
            long i = 0;
            while (!stop.get()) {
                try {
                    npes.addAndGet(maybe[(int) (i++ & 1)].hashCode() & 0);
                } catch (NullPointerException e) {
                    npes.incrementAndGet();
                }
            }
        }, "faults");
        Thread safepoints = new Thread(() -> { // arms the polls, over and over
            while (!stop.get()) {
                System.gc();
                collections.incrementAndGet();
                java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            }
        }, "safepoints");
        for (Thread t : new Thread[] {faults, safepoints}) {
            t.setDaemon(true);
            t.start();
        }
        Pointer jvmsHandler = segvHandler();
        AtomicLong scans = new AtomicLong();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        try (YaraRules r = Yara.compileText(YaraTest.RULES)) {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
            Runnable scanning = () -> { // two at once: libyara 4.2 saved and put back the handler per scan, not counted
                try (YaraScanner s = r.scanner(10)) {
                    while (System.nanoTime() < end) {
                        YaraMatches m = new YaraMatches();
                        s.scanFile(target.toString(), m);
                        assertThat(m.rules()).contains("marker_rule");
                        scans.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            };
            Thread other = new Thread(scanning, "second scanner");
            other.start();
            scanning.run();
            other.join();
        } finally {
            stop.set(true);
        }
        assertThat(failures).isEmpty();
        assertThat(segvHandler()).as("the process's SIGSEGV handler after the scans: still the JVM's").isEqualTo(jvmsHandler);
        faults.join(TimeUnit.SECONDS.toMillis(30));
        safepoints.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(faults.isAlive()).as("the faulting thread ended (it spins forever when libyara's handler swallows its faults)").isFalse();
        assertThat(safepoints.isAlive()).as("the collecting thread ended").isFalse();
        assertThat(collections.get()).as("collections meanwhile").isGreaterThan(100);
        assertThat(npes.get()).as("null pointer exceptions thrown meanwhile").isGreaterThan(1000);
        assertThat(scans.get()).isGreaterThan(10);
    }

    private static final int SIGSEGV = 11;

    /** glibc's sigaction: the handler is struct sigaction's first field. */
    private interface Signals extends Library {
        Signals C = Native.load("c", Signals.class);

        int sigaction(int signum, Pointer act, Pointer oldact);
    }

    private static Pointer segvHandler() {
        try (Memory old = new Memory(256)) {
            assertThat(Signals.C.sigaction(SIGSEGV, null, old)).isZero();
            return old.getPointer(0);
        }
    }
}
