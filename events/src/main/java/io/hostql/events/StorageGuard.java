package io.hostql.events;

import com.sun.jna.Native;
import io.hostql.os.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the journal's writes on storage that exists, and turns a storage fault (disk full, read-only,
 * immutable, EIO) into a counted gap instead of a dead publisher thread.
 *
 * <p>Why reserve instead of catching: Chronicle writes through mmap. A write to a page that the file
 * system cannot back (tmpfs or ext4 full, an ext4 file made immutable) is a SIGBUS. Inside
 * {@code Unsafe.copyMemory} the JVM turns it into an {@code InternalError}, but inside a CAS (Chronicle's
 * document headers and locks) it kills the JVM. So the guard makes sure the blocks exist before
 * Chronicle touches them: it {@code fallocate}s the current cycle file a step ahead of the write
 * position (one system call per {@link #STEP} of journal, not per append), and before a new cycle file
 * is created it checks the free space (the {@code statfs} behind {@code FileStore.getUsableSpace}).
 * Whatever still escapes (an {@code InternalError}, a Chronicle exception) is caught by the journal and
 * handed to {@link #fault}.
 *
 * <p>Degraded: appends are counted per type, with the first and last capture time, instead of written
 * (a {@link BlindPeriod}).
 * The journal rechecks with a backoff (at most every {@link #MAX_BACKOFF_NANOS}); when writing works
 * again it writes one {@link LossEvent} with the exact count and the time span, then resumes.
 * Not thread-safe: the journal calls it, status() included, under its own lock.
 */
final class StorageGuard {
    private static final Logger log = LoggerFactory.getLogger(StorageGuard.class);
    /** Reserved at a time, ahead of the write position. */
    static final long STEP = 1L << 20;
    /** Room Chronicle may use between two records (an index array of the roll cycle is at most 32 KiB here). */
    private static final long SLACK = 256L << 10;
    /** Free space needed to create a new cycle file (its header and first index) or to leave the degraded state. */
    static final long FREE_NEEDED = 2 * STEP;
    /**
     * Below this much free space the journal stops writing even inside its reservation, so the full disk
     * shows at once (status, loss record) and events.db and the logs keep the last of the room. Checked at
     * most every {@link #FREE_CHECK_NANOS}, not per append.
     */
    static final long LOW_FREE = 512L << 10;
    private static final long FREE_CHECK_NANOS = 250_000_000L;
    private static final long MIN_BACKOFF_NANOS = 50_000_000L, MAX_BACKOFF_NANOS = 1_000_000_000L;
    /** Besides each new page, the files' immutable and append-only flags are checked at most this often. */
    private static final long FLAGS_CHECK_NANOS = 100_000_000L;

    private final Path dir;
    private final IntFunction<Path> cycleFile;
    private int cycle = Integer.MIN_VALUE;
    private int fd = -1;
    private long reservedTo, lastEnd, lastFlagsCheck, lastPage = -1, lastFreeCheck;

    // Degraded state.
    private final BlindPeriod blind = new BlindPeriod();
    private long nextCheck, backoff = MIN_BACKOFF_NANOS;

    StorageGuard(Path dir, IntFunction<Path> cycleFile) {
        this.dir = dir;
        this.cycleFile = cycleFile;
    }

    boolean degraded() {
        return blind.open();
    }

    /** A snapshot (made on demand: a storm while degraded allocates nothing per event). */
    StorageStatus status() {
        return blind.status();
    }

    /**
     * Before a record of frameLen bytes is written while the clock's cycle is cycleNow: true if the
     * storage is there for it; false (now degraded) if not.
     */
    boolean admit(int cycleNow, int frameLen) {
        long now = System.nanoTime();
        if (now - lastFreeCheck >= FREE_CHECK_NANOS) {
            lastFreeCheck = now;
            long free = usableSpace();
            if (free < LOW_FREE) return fault("the file system is full: " + free + " bytes free in " + dir);
        }
        if (cycleNow != cycle) {
            // This write creates (or, right after open, first touches) a cycle file the guard holds no reservation in.
            long free = usableSpace();
            if (free < FREE_NEEDED) return fault("only " + free + " bytes free in " + dir + " (a new journal file needs " + FREE_NEEDED + ")");
            return true;
        }
        long need = lastEnd + frameLen + SLACK;
        if (need > reservedTo && !reserve(need + STEP)) return false;
        if ((lastEnd >>> 12) != lastPage || now - lastFlagsCheck >= FLAGS_CHECK_NANOS) {
            // A new page is about to be touched for the first time, or the flags were not looked at lately.
            lastPage = lastEnd >>> 12;
            lastFlagsCheck = now;
            String flags = immutable();
            if (flags != null) return fault(flags);
        }
        return true;
    }

    /** After a record was written: it ends at byte end of cycle's file. */
    void written(int writtenCycle, long end) {
        if (writtenCycle != cycle) {
            closeFd();
            cycle = writtenCycle;
            reservedTo = 0;
            lastPage = -1;
            Path f = cycleFile.apply(writtenCycle);
            fd = Libc.open(Libc.cPath(f), Libc.O_RDWR | Libc.O_CLOEXEC);
            if (fd < 0) fault("cannot open " + f + " to reserve space: " + Libc.errorText(Native.getLastError()));
            else reserve(end + SLACK + STEP);
        }
        lastEnd = end;
    }

    /** Reserves the cycle file's blocks up to {@code to}; false (now degraded) if the file system refuses. */
    private boolean reserve(long to) {
        int errno = tryReserve(to);
        if (errno == 0) return true;
        return fault("cannot reserve journal space in " + cycleFile.apply(cycle).getFileName() + ": " + Libc.errorText(errno)
                + (errno == Libc.EPERM ? " (is the file immutable? lsattr)" : ""));
    }

    /** 0, or the errno of the failed reservation. */
    private int tryReserve(long to) {
        if (fd < 0) return Libc.EBADF;
        if (to <= reservedTo) return 0;
        if (Libc.fallocate(fd, Libc.FALLOC_FL_KEEP_SIZE, reservedTo, to - reservedTo) != 0) return Native.getLastError();
        reservedTo = to;
        return 0;
    }

    /** A reason if the cycle file is immutable or append-only (chattr +i / +a): mapped writes to it fault on ext4. */
    private String immutable() {
        if (fd < 0) return null;
        int[] flags = {0};
        if (Libc.ioctl(fd, Libc.FS_IOC_GETFLAGS, flags) != 0) return null; // file systems without flags have none set
        if ((flags[0] & (Libc.FS_IMMUTABLE_FL | Libc.FS_APPEND_FL)) == 0) return null;
        return cycleFile.apply(cycle).getFileName() + " is " + ((flags[0] & Libc.FS_IMMUTABLE_FL) != 0 ? "immutable (chattr +i)" : "append-only (chattr +a)");
    }

    /** Enters (or stays in) the degraded state; always false. */
    boolean fault(String why) {
        if (blind.start(why, System.currentTimeMillis())) {
            backoff = MIN_BACKOFF_NANOS;
            nextCheck = System.nanoTime() + backoff;
            log.error("journal: cannot write {} ({}); hostqld keeps running and counts the events it cannot keep, until writing works again",
                    dir, why);
        }
        return false;
    }

    /** A record that was not written while degraded. */
    void drop(EventType type, long captureNanos) {
        blind.drop(type, captureNanos);
    }

    /**
     * While degraded, at most once per backoff: whether writing may be tried again (the free space is
     * there and the current file accepts a reservation). The caller then writes {@link #lossRecord}.
     */
    boolean recheck(int cycleNow) {
        long now = System.nanoTime();
        if (now < nextCheck) return false;
        backoff = Math.min(MAX_BACKOFF_NANOS, backoff * 2);
        nextCheck = now + backoff;
        if (usableSpace() < FREE_NEEDED) return false;
        if (cycleNow != cycle) return true; // a new file: the free space was the check
        if (fd < 0) {
            fd = Libc.open(Libc.cPath(cycleFile.apply(cycle)), Libc.O_RDWR | Libc.O_CLOEXEC);
            if (fd < 0) return false;
        }
        return tryReserve(lastEnd + SLACK + STEP) == 0 && immutable() == null;
    }

    /** The one record that covers the blind period: the exact count per type and the time span. */
    LossEvent lossRecord() {
        return blind.lossRecord(System.currentTimeMillis());
    }

    /** The loss record is written: healthy again. */
    void recovered() {
        log.info("journal: writing again after {} s; {} events were not captured and are counted in one loss record",
                (System.currentTimeMillis() - blind.sinceMillis()) / 1000, blind.dropped());
        blind.end();
        backoff = MIN_BACKOFF_NANOS;
    }

    private long usableSpace() {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private void closeFd() {
        if (fd >= 0) Libc.close(fd);
        fd = -1;
    }

    void close() {
        closeFd();
    }
}
