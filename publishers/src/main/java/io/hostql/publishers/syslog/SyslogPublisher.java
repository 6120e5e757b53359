package io.hostql.publishers.syslog;

import io.hostql.config.flags.EventFlags;
import io.hostql.os.Libc;
import com.sun.jna.Native;
import io.hostql.config.Settings;
import io.hostql.config.osquery.OsqueryConfig;
import io.hostql.events.Clock;
import io.hostql.events.EventSink;
import io.hostql.events.LossEvent;
import io.hostql.events.SyslogEvent;
import io.hostql.publishers.ReaderThread;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the named pipe rsyslog writes to ({@code --syslog_pipe_path}), as osquery's syslog publisher: the
 * pipe is made with mode 0460 (rsyslog writes, hostqld reads), group {@code syslog} when that group exists,
 * and locked so that one hostqld reads it. It is opened read-write, so that opening never waits for a
 * writer and rsyslog closing it (a restart) is no end of file: the next rsyslog's lines simply follow.
 *
 * <p>At most {@code --syslog_rate_limit} lines are taken per 200 ms (osquery's lines per run); the rest wait
 * in the pipe, and rsyslog queues behind it. A line not in osquery's CSV format is counted, logged
 * (rate-limited) and reported as a loss record with the count; it never stops the publisher (osquery's
 * stops after 10 in a row, which leaves the table blind).
 */
public final class SyslogPublisher extends ReaderThread {
    public static final String NAME = "syslog";
    /**
     * osquery's 0460 (root reads, the group writes). A hostqld run by a user also needs the owner's write bit: it
     * opens the pipe read-write (so that a writer's exit is never end of input), and only root skips the check.
     */
    static final String PIPE_MODE = Libc.geteuid() == 0 ? "r--rw----" : "rw-rw----";
    /** The same mode as bits, for mkfifo. */
    private static final int PIPE_MODE_BITS = modeBits(PIPE_MODE);
    static final String PIPE_GROUP = "syslog";
    static final long RUN_NANOS = 200_000_000L;
    /** rsyslog's default maxMessageSize is 8 KiB; a longer line is cut off and counted malformed. */
    static final int MAX_LINE = 65536;
    private static final long LOSS_REPORT_NANOS = 10_000_000_000L;
    private static final Logger log = LoggerFactory.getLogger(SyslogPublisher.class);

    private final Path pipe;
    private volatile long rateLimit;
    private int fd = -1;
    private final byte[] chunk = new byte[MAX_LINE];
    /** Bytes read and not yet taken as lines: [start, end) of pending. */
    private byte[] pending = new byte[2 * MAX_LINE];
    private int start, end;
    /** Dropping a line longer than MAX_LINE up to its newline. */
    private boolean skipping;
    private long runStarted;
    private long takenThisRun;
    private final AtomicLong malformed = new AtomicLong();
    private long unreported;
    private String lastProblem;
    private long lastLossReport;

    public SyslogPublisher(Path pipe, long rateLimit, EventSink sink) {
        super(new Options(NAME, "hostql-syslog", 0, 2000, true, "syslog_events", 10), log, sink);
        this.pipe = pipe;
        this.rateLimit = checkedRateLimit(rateLimit);
    }

    /** The publisher as --syslog_pipe_path and --syslog_rate_limit ask. */
    public static SyslogPublisher fromSettings(Settings settings, EventSink sink) {
        return new SyslogPublisher(Path.of(settings.get(EventFlags.SYSLOG_PIPE_PATH)), settings.get(EventFlags.SYSLOG_RATE_LIMIT), sink);
    }

    private static long checkedRateLimit(long limit) {
        if (limit >= 1) return limit;
        log.error("syslog_rate_limit must be at least 1 line per run, not {}; using 100", limit);
        return 100;
    }

    public Path pipe() {
        return pipe;
    }

    /** Lines that were not in osquery's CSV format, since start. */
    public long malformed() {
        return malformed.get();
    }

    @Override
    public void start() throws IOException {
        checkStartable();
        openPipe();
        try {
            openWakeup();
        } catch (RuntimeException e) {
            closeSource();
            throw e;
        }
        startThread();
    }

    /** "rw-r-----" as 0640. */
    static int modeBits(String rwx) {
        int bits = 0;
        for (int i = 0; i < 9; i++) if (rwx.charAt(i) != '-') bits |= 1 << (8 - i);
        return bits;
    }

    private void openPipe() throws IOException {
        if (!Files.exists(pipe)) {
            Path parent = pipe.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            if (Libc.mkfifo(Libc.cPath(pipe), PIPE_MODE_BITS) != 0 && Native.getLastError() != Libc.EEXIST) {
                throw new IOException("cannot create the pipe " + pipe + ": " + Libc.errorText(Native.getLastError()));
            }
            // The umask applied to mkfifo's mode: set it again, as osquery does, then the group rsyslog may write as.
            Files.setPosixFilePermissions(pipe, PosixFilePermissions.fromString(PIPE_MODE));
            setGroup();
        }
        if (((Integer) Files.getAttribute(pipe, "unix:mode") & Libc.S_IFMT) != Libc.S_IFIFO) {
            throw new IOException(pipe + " is not a named pipe (FIFO); remove it or set syslog_pipe_path");
        }
        int opened = Libc.open(Libc.cPath(pipe), Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
        if (opened < 0) throw new IOException("cannot open the pipe " + pipe + ": " + Libc.errorText(Native.getLastError()));
        if (Libc.flock(opened, Libc.LOCK_EX | Libc.LOCK_NB) != 0) {
            int errno = Native.getLastError();
            Libc.close(opened);
            throw new IOException("cannot lock the pipe " + pipe + " (another hostqld reads it?): " + Libc.errorText(errno));
        }
        fd = opened;
    }

    private void setGroup() throws IOException {
        GroupPrincipal group;
        try {
            group = pipe.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(PIPE_GROUP);
        } catch (UserPrincipalNotFoundException e) {
            log.debug("syslog: no group {}; the pipe {} keeps hostqld's group", PIPE_GROUP, pipe);
            return;
        }
        Files.getFileAttributeView(pipe, PosixFileAttributeView.class).setGroup(group);
    }

    @Override
    public void reconfigure(OsqueryConfig config, Settings settings) {
        rateLimit = checkedRateLimit(settings.get(EventFlags.SYSLOG_RATE_LIMIT));
        if (!Path.of(settings.get(EventFlags.SYSLOG_PIPE_PATH)).equals(pipe)) {
            log.warn("syslog: syslog_pipe_path changed; it takes effect when hostqld restarts (reading {})", pipe);
        }
    }

    @Override
    protected int sourceFd() {
        return fd;
    }

    /** Lines waiting in the buffer are taken when the run's budget allows, without waiting for more input. */
    @Override
    protected int pollTimeoutMillis() {
        if (!hasLine()) return 1000;
        return (int) Math.max(0, (runStarted + RUN_NANOS - System.nanoTime()) / 1_000_000L);
    }

    @Override
    protected void polled(boolean readable) {
        long now = System.nanoTime();
        if (takenThisRun >= rateLimit) { // this run's lines are taken: the rest wait for the next, in the pipe
            sleepQuietly(Math.max(0, (runStarted + RUN_NANOS - now) / 1_000_000L));
            now = System.nanoTime();
        }
        if (now - runStarted >= RUN_NANOS) {
            runStarted = now;
            takenThisRun = 0;
        }
        if (readable && !hasLine()) readChunk();
        takeLines(rateLimit);
        reportLosses(false);
    }

    @Override
    protected void sourceQuiet() {
        reportLosses(false);
    }

    /** Lines already read out of the pipe are taken whatever the rate limit: the pipe keeps only what is still in it. */
    @Override
    protected void stopping() {
        takeLines(Long.MAX_VALUE);
        reportLosses(true);
    }

    @Override
    protected void closeSource() {
        if (fd >= 0) {
            Libc.close(fd); // releases the lock too
            fd = -1;
        }
    }

    private void readChunk() {
        long n = Libc.read(fd, chunk, chunk.length);
        if (n < 0) {
            int errno = Native.getLastError();
            if (errno != Libc.EAGAIN && errno != Libc.EINTR) errors.error("syslog: reading " + pipe + " failed: " + Libc.errorText(errno));
            return;
        }
        if (end + n > pending.length) {
            System.arraycopy(pending, start, pending, 0, end - start);
            end -= start;
            start = 0;
        }
        System.arraycopy(chunk, 0, pending, end, (int) n);
        end += (int) n;
    }

    private boolean hasLine() {
        for (int i = start; i < end; i++) if (pending[i] == '\n') return true;
        return end - start >= MAX_LINE;
    }

    private void takeLines(long limit) {
        while (takenThisRun < limit) {
            int nl = -1;
            for (int i = start; i < end; i++) {
                if (pending[i] == '\n') {
                    nl = i;
                    break;
                }
            }
            if (nl < 0) {
                if (end - start >= MAX_LINE) { // no newline within the longest line: drop it up to its newline
                    if (!skipping) problem("a line longer than " + MAX_LINE + " bytes", null);
                    skipping = true;
                    start = end = 0;
                }
                return;
            }
            String line = new String(pending, start, nl - start, StandardCharsets.UTF_8);
            start = nl + 1;
            if (start == end) start = end = 0;
            if (skipping) {
                skipping = false;
                continue;
            }
            takenThisRun++;
            take(line);
        }
    }

    private void take(String line) {
        if (line.isBlank()) return;
        String[] f;
        try {
            f = SyslogCsv.parse(line);
        } catch (IllegalArgumentException e) {
            problem(e.getMessage(), line);
            return;
        }
        safeSink.append(new SyslogEvent(Clock.nowNanos(), f[0], f[1], f[2], f[3], f[4], f[5]));
    }

    private void problem(String what, String line) {
        malformed.incrementAndGet();
        unreported++;
        lastProblem = what;
        String shown = line == null ? "" : ": " + (line.length() > 200 ? line.substring(0, 200) + "..." : line);
        errors.warn("syslog: a line from " + pipe + " is not in osquery's CSV format (" + what + "); it is counted lost"
                + " (check rsyslog's template OsqueryCsvFormat)" + shown);
    }

    /** Malformed lines become a loss record with their count, at most one per 10 s (and one at stop). */
    private void reportLosses(boolean now) {
        if (unreported == 0) return;
        long t = System.nanoTime();
        if (!now && lastLossReport != 0 && t - lastLossReport < LOSS_REPORT_NANOS) return;
        lastLossReport = t;
        safeSink.append(new LossEvent(Clock.nowNanos(), NAME, unreported, "syslog: " + unreported
                + " lines from the pipe were not in osquery's CSV format (last: " + lastProblem + ")"));
        unreported = 0;
    }
}
