package io.hostql.publishers.inotify;

import io.hostql.os.Libc;
import io.hostql.os.sysfs.SysFiles;
import static io.hostql.events.FileEvent.IN_CREATE;
import static io.hostql.events.FileEvent.IN_DELETE;
import static io.hostql.events.FileEvent.IN_DELETE_SELF;
import static io.hostql.events.FileEvent.IN_IGNORED;
import static io.hostql.events.FileEvent.IN_ISDIR;
import static io.hostql.events.FileEvent.IN_MOVED_FROM;
import static io.hostql.events.FileEvent.IN_MOVED_TO;
import static io.hostql.events.FileEvent.IN_MOVE_SELF;
import static io.hostql.events.FileEvent.IN_Q_OVERFLOW;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import io.hostql.config.Settings;
import io.hostql.config.osquery.FileMonitoring;
import io.hostql.config.osquery.OsqueryConfig;
import io.hostql.events.Clock;
import io.hostql.events.Event;
import io.hostql.events.EventSink;
import io.hostql.events.FileEvent;
import io.hostql.events.LossEvent;
import io.hostql.publishers.ReaderThread;
import io.hostql.publishers.inotify.PathBytes.Key;
import io.hostql.publishers.inotify.Watch.Rule;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inotify publisher: file integrity monitoring for {@code file_events}. One inotify instance, read
 * on its own thread ({@code hostql-inotify}); each kernel event that a {@code file_paths} pattern selects
 * becomes one {@link FileEvent} per matching category, appended to the sink.
 *
 * <p>Beyond osquery: excluded paths never get a watch; directories created in or moved into a recursive
 * tree are watched at once and their contents reported as {@link FileEvent#SYNTHETIC} creations; a
 * configured path that does not exist yet (or is deleted and re-created) is picked up when it appears,
 * through a watch on its nearest existing ancestor; a queue overflow is written as a {@link LossEvent} and
 * followed by a rescan; running out of watches ({@code ENOSPC}) is logged once, written as a LossEvent,
 * and the watches that succeeded keep working.
 *
 * <p>All watch state is owned by the publisher thread; {@link #reconfigure} and the test hooks hand work
 * to it and wait.
 */
public final class InotifyPublisher extends ReaderThread {
    private static final Logger log = LoggerFactory.getLogger(InotifyPublisher.class);

    static final String SOURCE = "inotify";
    static final String THREAD_NAME = "hostql-inotify";
    /** Added for categories listed in file_accesses. */
    static final int ACCESS_MASK = Watch.ACCESS_MASK;
    private static final int EVENT_BITS = 0xFFF;
    private static final int BUFFER_SIZE = 64 * 1024;
    /** The largest event: the header and NAME_MAX + 1 bytes of name, padded to a multiple of the header size. */
    private static final int MAX_EVENT = InotifyEvents.HEADER + 256;
    private static final long CLOSE_WAIT_MILLIS = 1000;
    private static final long ENOSPC_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(10);
    private static final int MAX_LISTED_PATTERNS = 8;
    private static final String MAX_USER_WATCHES = "fs/inotify/max_user_watches", MAX_QUEUED_EVENTS = "fs/inotify/max_queued_events";

    /** Counters for status and the osquery_events table. */
    public record Stats(long eventsPublished, long overflows, long losses, int watchesActive, long watchErrors) {}

    private final int fd;
    /** max_queued_events when the instance was made: the kernel fixes the queue size then. */
    private final String queueLimit;
    private final Memory buffer = new Memory(BUFFER_SIZE);

    /** The watches; owned by the publisher thread (or by the caller before start()). */
    private final WatchTree tree;
    /** Reads of the inotify descriptor so far. */
    private long reads;
    private long lastEnospcLog;
    private boolean enospcLogged;

    private final AtomicLong published = new AtomicLong();
    private final AtomicLong overflows = new AtomicLong();
    private final AtomicLong losses = new AtomicLong();

    public InotifyPublisher(FileMonitoring config, EventSink sink) {
        this(config, sink, newInotify());
    }

    /** With an inotify descriptor made elsewhere (tests: one charged to a user namespace with a tiny watch limit). */
    InotifyPublisher(FileMonitoring config, EventSink sink, int inotifyFd) {
        super(new Options(SOURCE, THREAD_NAME, 16L << 20, CLOSE_WAIT_MILLIS, true, "file events", 10), log, sink);
        this.tree = new WatchTree(Directories.of(inotifyFd), WatchTree.compile(Objects.requireNonNull(config, "config")),
                new WatchTree.Listener() {
                    @Override
                    public void created(Watch w, byte[] name, FilePattern p, byte[] path, boolean dir) {
                        synthetic(w, name, p, path, dir);
                    }

                    @Override
                    public void ranOut(int count, byte[] first) {
                        watchesRanOut(count, first);
                    }
                }, () -> closing);
        this.fd = inotifyFd;
        this.queueLimit = sysctl(MAX_QUEUED_EVENTS);
        try {
            openWakeup();
        } catch (IllegalStateException e) {
            Libc.close(inotifyFd);
            throw e;
        }
    }

    private static int newInotify() {
        int fd = Libc.inotify_init1(Libc.IN_NONBLOCK | Libc.IN_CLOEXEC);
        if (fd < 0) {
            int errno = Native.getLastError();
            String hint = errno == Libc.EMFILE
                    ? " (too many inotify instances for this user: raise fs.inotify.max_user_instances, now "
                            + sysctl("fs/inotify/max_user_instances") + ")"
                    : "";
            throw new IllegalStateException("inotify_init1 failed: " + Libc.errorText(errno) + hint);
        }
        return fd;
    }

    // ---------------------------------------------------------------------------------------------
    // Public API

    /** Places the watches for the configuration and starts reading on thread {@code hostql-inotify}. */
    @Override
    public void start() {
        startThread();
    }

    /**
     * Applies a new configuration (SIGHUP): watches are added and removed to match it, the inotify
     * descriptor is kept. Waits until the publisher thread has applied it.
     */
    public void reconfigure(FileMonitoring config) {
        WatchTree.Compiled next = WatchTree.compile(Objects.requireNonNull(config, "config"));
        if (isClosed()) {
            log.warn("inotify publisher is closed; new file_paths configuration ignored");
            return;
        }
        if (!isRunning()) {
            tree.configure(next); // placed when it starts
            return;
        }
        onThread(() -> {
            tree.configure(next);
            tree.reconcile(WatchTree.Mode.QUIET);
            log.info("inotify: reconfigured, {} directories watched for {} file_paths patterns", tree.size(), next.patterns().size());
            return null;
        });
    }

    public Stats stats() {
        return new Stats(published.get(), overflows.get(), losses.get(), tree.size(), tree.watchErrors());
    }

    @Override
    public void reconfigure(OsqueryConfig config, Settings settings) {
        reconfigure(config.fileMonitoring());
    }

    // ---------------------------------------------------------------------------------------------
    // Package-private hooks for tests

    /** The directories watched now (for content or on the way to a configured path). */
    Set<String> watchedDirectories() {
        return onThreadOrHere(tree::directories);
    }

    /** The mask requested for a watched directory, or -1 when it has no watch. */
    int watchMask(String dir) {
        return onThreadOrHere(() -> {
            Watch w = tree.byPath(PathBytes.utf8(dir));
            return w == null ? -1 : w.mask;
        });
    }

    /** How many children reported by scans are remembered now (forgotten once the kernel queue is seen empty). */
    int scannedNamesRemembered() {
        return onThreadOrHere(tree.scanned::size);
    }

    /** Runs hook (on the publisher thread) with the path of each directory that gets a new watch, before it is scanned. */
    void onNewWatch(Consumer<String> hook) {
        tree.newWatchHook = hook;
    }

    int inotifyFd() {
        return fd;
    }

    // ---------------------------------------------------------------------------------------------
    // The thread

    @Override
    protected void starting() {
        try {
            tree.reconcile(WatchTree.Mode.QUIET);
            log.info("inotify: started, {} directories watched for {} file_paths patterns", tree.size(), tree.patterns().size());
        } catch (RuntimeException e) {
            log.error("inotify: placing the initial watches failed", e);
        }
    }

    @Override
    protected int sourceFd() {
        return fd;
    }

    @Override
    protected void sourceQuiet() {
        tree.scanned.expire(reads + 1); // the queue is empty
    }

    @Override
    protected void polled(boolean readable) {
        if (readable) readEvents();
    }

    private void readEvents() {
        long read = ++reads;
        long n = Libc.read(fd, buffer, BUFFER_SIZE);
        if (n < 0) {
            int errno = Native.getLastError();
            if (errno == Libc.EAGAIN) tree.scanned.expire(read);
            else if (errno != Libc.EINTR) {
                errors.error("inotify: read failed: " + Libc.errorText(errno));
                sleepQuietly(100);
            }
            return;
        }
        int rest = InotifyEvents.decode(buffer.getByteBuffer(0, n).order(java.nio.ByteOrder.nativeOrder()), (wd, mask, cookie, name) -> {
            try {
                handle(wd, mask, cookie, name);
            } catch (RuntimeException e) {
                errors.error("inotify: failed to handle an event (wd " + wd + ", mask 0x" + Integer.toHexString(mask) + ")", e);
            }
        });
        if (rest > 0) errors.error("inotify: the last " + rest + " bytes of a read are not a whole event; skipped");
        // Room left for the largest event: the kernel stopped because its queue was empty.
        if (n <= BUFFER_SIZE - MAX_EVENT) tree.scanned.expire(read);
    }

    // ---------------------------------------------------------------------------------------------
    // Events

    private void handle(int wd, int mask, int cookie, byte[] name) {
        if ((mask & IN_Q_OVERFLOW) != 0) {
            overflow();
            return;
        }
        Watch w = tree.byWd(wd);
        if (w == null) return; // a watch we removed already
        if ((mask & IN_IGNORED) != 0) {
            tree.lost(w, false);
            return;
        }
        if (name == null || name.length == 0) {
            if ((mask & IN_MOVE_SELF) != 0) tree.lost(w, true);
            else if ((mask & IN_DELETE_SELF) != 0) tree.lost(w, false);
            else publishSelf(w, mask, cookie);
            return;
        }
        if (!w.excludedChildren.isEmpty() && w.excludedChildren.contains(new Key(name))) return;
        byte[] path = PathBytes.child(w.path, name);
        Set<String> reported = null;
        if (w.scanned != null && (mask & (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)) != 0) {
            // The kernel's IN_CREATE for a child the scan reported is the same creation; any other of these ends the name.
            Set<String> categories = tree.scanned.take(w, name);
            if ((mask & IN_CREATE) != 0) reported = categories;
        }
        publish(w, name, path, mask, cookie, reported);
        if ((mask & IN_ISDIR) != 0) {
            if ((mask & (IN_DELETE | IN_MOVED_FROM)) != 0) tree.removeSubtree(path, true);
            if ((mask & (IN_CREATE | IN_MOVED_TO)) != 0) tree.newDirectory(w, name, path);
        }
    }

    /** One event per category whose rule on this directory selects the child (and wants this event), except the categories in skip. */
    private void publish(Watch w, byte[] name, byte[] path, int mask, int cookie, Set<String> skip) {
        int bits = mask & EVENT_BITS;
        String first = null;
        List<String> more = null;
        for (Rule r : w.rules) {
            if (!r.content() || (r.mask() & bits) == 0 || !r.matcher().matches(name)) continue;
            String c = r.pattern().category;
            if (skip != null && skip.contains(c)) continue;
            if (c.equals(first) || (more != null && more.contains(c))) continue;
            append(new FileEvent(Clock.nowNanos(), mask, cookie, path, c, r.pattern().access ? FileEvent.ACCESS_CATEGORY : 0));
            published.incrementAndGet();
            if (first == null) first = c;
            else (more == null ? more = new ArrayList<>(2) : more).add(c);
        }
    }

    /**
     * An event about a watched directory itself (attributes, opened): reported when the directory matches a
     * pattern and its parent's watch does not already report it as a child.
     */
    private void publishSelf(Watch w, int mask, int cookie) {
        int bits = mask & EVENT_BITS;
        if (bits == 0 || w.comps.length == 0) return;
        byte[] parent = PathBytes.parent(w.path);
        Watch pw = parent == null ? null : tree.byPath(parent);
        if (pw != null) {
            byte[] name = w.comps[w.comps.length - 1];
            for (Rule r : pw.rules) if (r.content() && (r.mask() & bits) != 0 && r.matcher().matches(name)) return;
        }
        Set<String> done = new HashSet<>();
        for (Rule r : w.rules) {
            FilePattern p = r.pattern();
            if ((r.mask() & bits) == 0 || !p.matchesPath(w.comps) || !done.add(p.category)) continue;
            append(new FileEvent(Clock.nowNanos(), mask, cookie, w.path.clone(), p.category, p.access ? FileEvent.ACCESS_CATEGORY : 0));
            published.incrementAndGet();
        }
    }

    /** A child found by a scan of w's directory (w null: not watched), reported as created unless it already was. */
    private void synthetic(Watch w, byte[] name, FilePattern p, byte[] path, boolean dir) {
        if (w != null && !tree.scanned.note(w, name, p.category, reads)) return;
        int flags = FileEvent.SYNTHETIC | (p.access ? FileEvent.ACCESS_CATEGORY : 0);
        append(new FileEvent(Clock.nowNanos(), IN_CREATE | (dir ? IN_ISDIR : 0), 0, path, p.category, flags));
        published.incrementAndGet();
    }

    private void append(Event e) {
        safeSink.append(e);
    }

    private void overflow() {
        long n = overflows.incrementAndGet();
        losses.incrementAndGet();
        List<FilePattern> patterns = tree.patterns();
        StringBuilder trees = new StringBuilder();
        for (int i = 0; i < patterns.size() && i < MAX_LISTED_PATTERNS; i++) trees.append(i == 0 ? "" : ", ").append(patterns.get(i).text);
        if (patterns.size() > MAX_LISTED_PATTERNS) trees.append(" and ").append(patterns.size() - MAX_LISTED_PATTERNS).append(" more");
        String reason = "IN_Q_OVERFLOW: the inotify queue overflowed (fs.inotify.max_queued_events was " + queueLimit
                + " when the instance was made), file events were lost; rescanning " + trees;
        append(new LossEvent(Clock.nowNanos(), SOURCE, -1, reason));
        log.warn("inotify: {} (overflow #{})", reason, n);
        tree.scanned.clear(); // events were lost: the rescan reports every file once more
        tree.reconcile(WatchTree.Mode.RESCAN);
    }

    /** After a placement pass: one loss record and (rate-limited) one ERROR when watches ran out. */
    private void watchesRanOut(int count, byte[] firstNotWatched) {
        losses.incrementAndGet();
        String first = PathBytes.show(firstNotWatched);
        int more = count - 1;
        append(new LossEvent(Clock.nowNanos(), SOURCE, -1, "watch limit reached: " + first + " and " + more + " more not watched"));
        long now = System.nanoTime();
        if (!enospcLogged || now - lastEnospcLog > ENOSPC_LOG_INTERVAL_NANOS) {
            enospcLogged = true;
            lastEnospcLog = now;
            String current = sysctl(MAX_USER_WATCHES);
            String suggestion;
            try {
                suggestion = Long.toString(Math.max(524288L, Long.parseLong(current) * 2));
            } catch (NumberFormatException e) {
                suggestion = "524288";
            }
            log.error("inotify: watch limit reached (fs.inotify.max_user_watches = {}): {} and {} more directories are not watched, "
                    + "so changes in them are not seen. Raise the limit (sysctl -w fs.inotify.max_user_watches={}, and persist it in "
                    + "/etc/sysctl.d/) or exclude busy trees with exclude_paths. Later occurrences are logged at most every 10 minutes "
                    + "and each is recorded in the journal as a loss.", current, first, more, suggestion);
        }
    }

    /** On the thread as it ends: the descriptor is closed and the watches are gone with it. */
    @Override
    protected void closeSource() {
        Libc.close(fd);
        tree.clear();
    }

    /** A /proc/sys value by its path there ("fs/inotify/max_queued_events"), for messages; "unknown" when unreadable. */
    static String sysctl(String name) {
        String v = SysFiles.sysctl(name);
        return v == null ? "unknown" : v;
    }
}
