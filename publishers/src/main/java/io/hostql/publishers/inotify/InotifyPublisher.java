package io.hostql.publishers.inotify;

import static io.hostql.events.FileEvent.IN_ACCESS;
import static io.hostql.events.FileEvent.IN_ATTRIB;
import static io.hostql.events.FileEvent.IN_CLOSE_WRITE;
import static io.hostql.events.FileEvent.IN_CREATE;
import static io.hostql.events.FileEvent.IN_DELETE;
import static io.hostql.events.FileEvent.IN_DELETE_SELF;
import static io.hostql.events.FileEvent.IN_IGNORED;
import static io.hostql.events.FileEvent.IN_ISDIR;
import static io.hostql.events.FileEvent.IN_MODIFY;
import static io.hostql.events.FileEvent.IN_MOVED_FROM;
import static io.hostql.events.FileEvent.IN_MOVED_TO;
import static io.hostql.events.FileEvent.IN_MOVE_SELF;
import static io.hostql.events.FileEvent.IN_OPEN;
import static io.hostql.events.FileEvent.IN_Q_OVERFLOW;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.hostql.config.osquery.FileMonitoring;
import io.hostql.events.Clock;
import io.hostql.events.Event;
import io.hostql.events.EventSink;
import io.hostql.events.FileEvent;
import io.hostql.events.LossEvent;
import io.hostql.os.Libc;
import io.hostql.publishers.RateLimitedLog;
import io.hostql.publishers.SafeSink;
import io.hostql.publishers.Wakeup;
import io.hostql.publishers.inotify.PathBytes.Key;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
public final class InotifyPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InotifyPublisher.class);

    static final String SOURCE = "inotify";
    static final String THREAD_NAME = "hostql-inotify";
    /** osquery's default file_events mask. */
    static final int DEFAULT_MASK = IN_MOVED_TO | IN_MOVED_FROM | IN_MODIFY | IN_DELETE | IN_CREATE | IN_CLOSE_WRITE | IN_ATTRIB;
    /** Added for categories listed in file_accesses. */
    static final int ACCESS_MASK = IN_OPEN | IN_ACCESS;
    /** What a directory on the way to a configured path is watched for: something appearing or leaving. */
    static final int NAV_MASK = IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE;
    private static final int WATCH_FLAGS = IN_DELETE_SELF | IN_MOVE_SELF | Libc.IN_ONLYDIR | Libc.IN_EXCL_UNLINK;
    private static final int EVENT_BITS = 0xFFF;
    private static final int BUFFER_SIZE = 64 * 1024;
    /** The largest event: the header and NAME_MAX + 1 bytes of name, padded to a multiple of the header size. */
    private static final int MAX_EVENT = InotifyEvents.HEADER + 256;
    /** Names remembered as reported by scans (see {@link Watch#scanned}) at most; past it, a duplicate CREATED is possible. */
    private static final int MAX_SCANNED_NAMES = 65_536;
    private static final int POLL_MILLIS = 1000;
    private static final long CLOSE_WAIT_MILLIS = 1000;
    private static final long TASK_TIMEOUT_SECONDS = 120;
    private static final long ENOSPC_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(10);
    private static final int MAX_LISTED_PATTERNS = 8;
    private static final Path MAX_USER_WATCHES = Path.of("/proc/sys/fs/inotify/max_user_watches");
    private static final Path MAX_QUEUED_EVENTS = Path.of("/proc/sys/fs/inotify/max_queued_events");

    /** Counters for status and the osquery_events table. */
    public record Stats(long eventsPublished, long overflows, long losses, int watchesActive, long watchErrors) {}

    private enum Mode {
        /** Place watches; report nothing (start, reconfigure: osquery reports no existing files either). */
        QUIET,
        /** Something appeared: report the contents of directories that got a new watch. */
        NEW,
        /** After an overflow: re-place every watch and report every file. */
        RESCAN
    }

    /** What a watch is for: content (children matching {@code matcher} are reported) or navigation. */
    record Rule(FilePattern pattern, boolean content, Component matcher) {
        int mask() {
            return content ? DEFAULT_MASK | (pattern.access ? ACCESS_MASK : 0) : NAV_MASK;
        }
    }

    private record Compiled(List<FilePattern> patterns, ExcludeSet excludes) {}

    private record Entry(byte[] name, int type) {}

    private static final class Watch {
        final int wd;
        final byte[] path;
        final byte[][] comps;
        final Key key;
        final boolean follow;
        final int createdPass;
        int mask;
        int checkedPass;
        LinkedHashSet<Rule> rules = new LinkedHashSet<>();
        Set<Key> excludedChildren = Set.of();
        /**
         * Children a scan of this directory reported as created (name to categories) while the kernel may
         * still hold its own IN_CREATE for them: a child created after the watch was placed and before the
         * scan read the directory is seen by both. That IN_CREATE is then not published again, nor is the
         * child reported twice when two patterns of one category scan the directory. A removal of the name
         * ends its entry, so a later creation is reported. Null when empty.
         */
        Map<Key, Set<String>> scanned;
        /** The read during which names were last added to {@link #scanned}. */
        long scannedRead;

        Watch(int wd, byte[] path, byte[][] comps, Key key, boolean follow, int mask, int pass) {
            this.wd = wd;
            this.path = path;
            this.comps = comps;
            this.key = key;
            this.follow = follow;
            this.mask = mask;
            this.createdPass = pass;
            this.checkedPass = pass;
        }

        boolean hasRuleFor(FilePattern p) {
            for (Rule r : rules) if (r.pattern == p) return true;
            return false;
        }
    }

    private final class Pass {
        final Mode mode;
        final int id = ++passCounter;
        /** In a reconcile pass: the complete new rules per directory, applied at the end. */
        final Map<Key, LinkedHashSet<Rule>> rules;
        int enospc;
        byte[] firstEnospc;

        Pass(Mode mode, boolean reconcile) {
            this.mode = mode;
            this.rules = reconcile ? new HashMap<>() : null;
        }
    }

    private record Task(Callable<?> work, CompletableFuture<Object> done) {}

    private final EventSink sink;
    private final int fd;
    private final Wakeup wakeup;
    /** max_queued_events when the instance was made: the kernel fixes the queue size then. */
    private final String queueLimit;
    private final Memory buffer = new Memory(BUFFER_SIZE);
    private final Memory pollFds = new Memory(16);

    private volatile Compiled compiled;

    // Owned by the publisher thread (or by the caller before start()).
    private final Map<Integer, Watch> byWd = new HashMap<>();
    private final TreeMap<Key, Watch> byPath = new TreeMap<>();
    private final Set<Key> warnedPaths = new HashSet<>();
    private int passCounter;
    /** Reads of the inotify descriptor so far. */
    private long reads;
    /** Watches with {@link Watch#scanned} names, ordered by {@link Watch#scannedRead}. */
    private final LinkedHashSet<Watch> scannedWatches = new LinkedHashSet<>();
    private int scannedNames;
    private long lastEnospcLog;
    private boolean enospcLogged;
    private final RateLimitedLog errors = new RateLimitedLog(log, 10);
    /** Never throws: the reader loop goes on draining the kernel whatever the journal does. */
    private final SafeSink safeSink;

    private final AtomicLong published = new AtomicLong();
    private final AtomicLong overflows = new AtomicLong();
    private final AtomicLong losses = new AtomicLong();
    private final AtomicLong watchErrors = new AtomicLong();
    private volatile int watchesActive;

    private final ConcurrentLinkedQueue<Task> tasks = new ConcurrentLinkedQueue<>();
    private final CountDownLatch ready = new CountDownLatch(1);
    private final Object lock = new Object();
    private Thread thread; // guarded by lock
    private boolean closed; // guarded by lock
    private boolean fdsClosed; // guarded by lock
    private volatile boolean closing;
    private volatile boolean pauseRequested;
    private volatile boolean paused;
    /** Test hook: runs on the publisher thread right after a directory gets a new watch, before it is scanned. */
    private volatile Consumer<String> newWatchHook;

    public InotifyPublisher(FileMonitoring config, EventSink sink) {
        this(config, sink, newInotify());
    }

    /** With an inotify descriptor made elsewhere (tests: one charged to a user namespace with a tiny watch limit). */
    InotifyPublisher(FileMonitoring config, EventSink sink, int inotifyFd) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.safeSink = new SafeSink(sink, "inotify", errors);
        this.compiled = compile(Objects.requireNonNull(config, "config"));
        this.fd = inotifyFd;
        this.queueLimit = sysctl(MAX_QUEUED_EVENTS);
        try {
            this.wakeup = new Wakeup();
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
                            + sysctl(Path.of("/proc/sys/fs/inotify/max_user_instances")) + ")"
                    : "";
            throw new IllegalStateException("inotify_init1 failed: " + Libc.errorText(errno) + hint);
        }
        return fd;
    }

    // ---------------------------------------------------------------------------------------------
    // Public API

    /** Places the watches for the configuration and starts reading on thread {@code hostql-inotify}. */
    public void start() {
        synchronized (lock) {
            if (closed) throw new IllegalStateException("inotify publisher is closed");
            if (thread != null) throw new IllegalStateException("inotify publisher already started");
            thread = new Thread(null, this::run, THREAD_NAME, 16L << 20);
            thread.setDaemon(true);
            thread.start();
        }
        boolean interrupted = false;
        while (true) {
            try {
                ready.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /**
     * Applies a new configuration (SIGHUP): watches are added and removed to match it, the inotify
     * descriptor is kept. Waits until the publisher thread has applied it.
     */
    public void reconfigure(FileMonitoring config) {
        Compiled next = compile(Objects.requireNonNull(config, "config"));
        synchronized (lock) {
            if (closed) {
                log.warn("inotify publisher is closed; new file_paths configuration ignored");
                return;
            }
            if (thread == null) {
                compiled = next;
                return;
            }
        }
        onThread(() -> {
            compiled = next;
            reconcile(Mode.QUIET);
            log.info("inotify: reconfigured, {} directories watched for {} file_paths patterns", byWd.size(), next.patterns.size());
            return null;
        });
    }

    public Stats stats() {
        return new Stats(published.get(), overflows.get(), losses.get(), watchesActive, watchErrors.get());
    }

    /** Stops the thread (within about a second) and closes the inotify descriptor. Idempotent. */
    @Override
    public void close() {
        Thread t;
        synchronized (lock) {
            if (closed) return;
            closed = true;
            closing = true;
            t = thread;
        }
        pauseRequested = false;
        if (t == null) {
            closeFds();
            return;
        }
        wake();
        try {
            t.join(CLOSE_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) log.warn("inotify publisher thread did not stop within {} ms; it closes its descriptors when it does", CLOSE_WAIT_MILLIS);
    }

    // ---------------------------------------------------------------------------------------------
    // Package-private hooks for tests

    /** The directories watched now (for content or on the way to a configured path). */
    Set<String> watchedDirectories() {
        return onThreadOrHere(() -> {
            Set<String> out = new TreeSet<>();
            for (Key k : byPath.keySet()) out.add(k.toString());
            return out;
        });
    }

    /** The mask requested for a watched directory, or -1 when it has no watch. */
    int watchMask(String dir) {
        return onThreadOrHere(() -> {
            Watch w = byPath.get(new Key(PathBytes.utf8(dir)));
            return w == null ? -1 : w.mask;
        });
    }

    /** Stops reading the inotify descriptor (the kernel queue fills up) until {@link #resumeReading()}. */
    void pauseReading() {
        pauseRequested = true;
        wake();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!paused && System.nanoTime() < deadline && isRunning()) sleepQuietly(1);
        if (!paused) throw new IllegalStateException("publisher thread did not pause");
    }

    void resumeReading() {
        pauseRequested = false;
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /** How many children reported by scans are remembered now (forgotten once the kernel queue is seen empty). */
    int scannedNamesRemembered() {
        return onThreadOrHere(() -> scannedNames);
    }

    /** Runs hook (on the publisher thread) with the path of each directory that gets a new watch, before it is scanned. */
    void onNewWatch(Consumer<String> hook) {
        newWatchHook = hook;
    }

    int inotifyFd() {
        return fd;
    }

    private boolean isRunning() {
        synchronized (lock) {
            return thread != null && thread.isAlive();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Configuration

    private static Compiled compile(FileMonitoring cfg) {
        List<String> problems = new ArrayList<>();
        List<FilePattern> patterns = new ArrayList<>();
        new TreeMap<>(cfg.filePaths()).forEach((category, list) -> {
            boolean access = cfg.fileAccesses().contains(category);
            for (String text : list) {
                FilePattern p = FilePattern.compile(category, text, access, problems);
                if (p != null) patterns.add(p);
            }
        });
        ExcludeSet excludes = ExcludeSet.compile(cfg.excludePaths(), problems);
        for (String a : new TreeSet<>(cfg.fileAccesses())) {
            if (!cfg.filePaths().containsKey(a)) problems.add("file_accesses names category '" + a + "', which is not in file_paths; ignored");
        }
        for (String p : problems) log.warn("inotify: {}", p);
        return new Compiled(List.copyOf(patterns), excludes);
    }

    // ---------------------------------------------------------------------------------------------
    // The thread

    private void run() {
        try {
            try {
                reconcile(Mode.QUIET);
                log.info("inotify: started, {} directories watched for {} file_paths patterns", byWd.size(), compiled.patterns.size());
            } catch (RuntimeException e) {
                log.error("inotify: placing the initial watches failed", e);
            } finally {
                ready.countDown();
            }
            pollFds.setInt(0, fd);
            pollFds.setShort(4, Libc.POLLIN);
            pollFds.setInt(8, wakeup.fd());
            pollFds.setShort(12, Libc.POLLIN);
            while (!closing) {
                runTasks();
                if (pauseRequested) {
                    waitWhilePaused();
                    continue;
                }
                pollFds.setShort(6, (short) 0);
                pollFds.setShort(14, (short) 0);
                int r = Libc.poll(pollFds, 2, POLL_MILLIS);
                if (r < 0) {
                    int errno = Native.getLastError();
                    if (errno != Libc.EINTR) {
                        errors.error("inotify: poll failed: " + Libc.errorText(errno));
                        sleepQuietly(100);
                    }
                    continue;
                }
                if (pollFds.getShort(6) == 0) expireScanned(reads + 1); // the queue is empty
                if (pollFds.getShort(14) != 0) wakeup.drain();
                if (closing) break;
                runTasks();
                if (pauseRequested) continue;
                if (pollFds.getShort(6) != 0) readEvents();
            }
        } catch (Throwable t) {
            if (closing) return; // failing while closing loses nothing: the publisher was stopping
            // A dead reader is a blind agent: the thread dies on, and hostqld's uncaught-exception handler ends the
            // process non-zero so that systemd restarts it (io.hostql.daemon.Fatal), instead of running on without file events.
            log.error("inotify: publisher thread failed; file events are no longer captured", t);
            throw t;
        } finally {
            paused = false;
            closeFds();
            Task t;
            while ((t = tasks.poll()) != null) t.done.completeExceptionally(new IllegalStateException("inotify publisher closed"));
        }
    }

    private void waitWhilePaused() {
        synchronized (lock) {
            paused = true;
            while (pauseRequested && !closing) {
                runTasks(); // reconfigure and the test hooks still work; only reading stops
                try {
                    lock.wait(100);
                } catch (InterruptedException e) {
                    break;
                }
            }
            paused = false;
        }
    }

    private void readEvents() {
        long read = ++reads;
        long n = Libc.read(fd, buffer, BUFFER_SIZE);
        if (n < 0) {
            int errno = Native.getLastError();
            if (errno == Libc.EAGAIN) expireScanned(read);
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
        if (n <= BUFFER_SIZE - MAX_EVENT) expireScanned(read);
    }

    // ---------------------------------------------------------------------------------------------
    // Events

    private void handle(int wd, int mask, int cookie, byte[] name) {
        if ((mask & IN_Q_OVERFLOW) != 0) {
            overflow();
            return;
        }
        Watch w = byWd.get(wd);
        if (w == null) return; // a watch we removed already
        if ((mask & IN_IGNORED) != 0) {
            lost(w, false);
            return;
        }
        if (name == null || name.length == 0) {
            if ((mask & IN_MOVE_SELF) != 0) lost(w, true);
            else if ((mask & IN_DELETE_SELF) != 0) lost(w, false);
            else publishSelf(w, mask, cookie);
            return;
        }
        if (!w.excludedChildren.isEmpty() && w.excludedChildren.contains(new Key(name))) return;
        byte[] path = PathBytes.child(w.path, name);
        Set<String> reported = null;
        if (w.scanned != null && (mask & (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)) != 0) {
            // The kernel's IN_CREATE for a child the scan reported is the same creation; any other of these ends the name.
            Set<String> categories = takeScanned(w, name);
            if ((mask & IN_CREATE) != 0) reported = categories;
        }
        publish(w, name, path, mask, cookie, reported);
        if ((mask & IN_ISDIR) != 0) {
            if ((mask & (IN_DELETE | IN_MOVED_FROM)) != 0) removeSubtree(path, true);
            if ((mask & (IN_CREATE | IN_MOVED_TO)) != 0) newDirectory(w, name, path);
        }
    }

    /** One event per category whose rule on this directory selects the child (and wants this event), except the categories in skip. */
    private void publish(Watch w, byte[] name, byte[] path, int mask, int cookie, Set<String> skip) {
        int bits = mask & EVENT_BITS;
        String first = null;
        List<String> more = null;
        for (Rule r : w.rules) {
            if (!r.content || (r.mask() & bits) == 0 || !r.matcher.matches(name)) continue;
            String c = r.pattern.category;
            if (skip != null && skip.contains(c)) continue;
            if (c.equals(first) || (more != null && more.contains(c))) continue;
            append(new FileEvent(Clock.nowNanos(), mask, cookie, path, c, r.pattern.access ? FileEvent.ACCESS_CATEGORY : 0));
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
        Watch pw = parent == null ? null : byPath.get(new Key(parent));
        if (pw != null) {
            byte[] name = w.comps[w.comps.length - 1];
            for (Rule r : pw.rules) if (r.content && (r.mask() & bits) != 0 && r.matcher.matches(name)) return;
        }
        Set<String> done = new HashSet<>();
        for (Rule r : w.rules) {
            FilePattern p = r.pattern;
            if ((r.mask() & bits) == 0 || !p.matchesPath(w.comps) || !done.add(p.category)) continue;
            append(new FileEvent(Clock.nowNanos(), mask, cookie, w.path.clone(), p.category, p.access ? FileEvent.ACCESS_CATEGORY : 0));
            published.incrementAndGet();
        }
    }

    /** A child found by a scan of w's directory (w null: not watched), reported as created unless it already was. */
    private void synthetic(Watch w, byte[] name, FilePattern p, byte[] path, boolean dir) {
        if (w != null && !noteScanned(w, name, p.category)) return;
        int flags = FileEvent.SYNTHETIC | (p.access ? FileEvent.ACCESS_CATEGORY : 0);
        append(new FileEvent(Clock.nowNanos(), IN_CREATE | (dir ? IN_ISDIR : 0), 0, path, p.category, flags));
        published.incrementAndGet();
    }

    private void append(Event e) {
        safeSink.append(e);
    }

    /** A directory appeared in a watched one (created or moved in): watch it and what is inside, report its contents. */
    private void newDirectory(Watch w, byte[] name, byte[] path) {
        byte[][] comps = PathBytes.append(w.comps, name);
        Pass pass = new Pass(Mode.NEW, false);
        Set<FilePattern> done = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Rule r : List.copyOf(w.rules)) {
            if (done.add(r.pattern) && r.pattern.prefixMatches(comps)) plan(r.pattern, path, comps, pass, false);
        }
        finishPass(pass);
    }

    /**
     * A watch is gone (directory deleted, moved away, unmounted). If nothing above it will see the path
     * come back, watch the nearest existing ancestor for it (or, if it is already back, descend at once).
     */
    private void lost(Watch w, boolean moved) {
        if (moved) removeSubtree(w.path, true);
        else forget(w);
        byte[] parent = PathBytes.parent(w.path);
        Watch pw = parent == null ? null : byPath.get(new Key(parent));
        Pass pass = new Pass(Mode.NEW, false);
        Set<FilePattern> done = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Rule r : w.rules) {
            FilePattern p = r.pattern;
            if (!done.add(p) || (pw != null && pw.hasRuleFor(p))) continue;
            byte[] a = parent;
            while (a != null && !isDirectory(a)) a = PathBytes.parent(a);
            if (a != null) plan(p, a, PathBytes.components(a), pass, true);
        }
        finishPass(pass);
    }

    private void overflow() {
        long n = overflows.incrementAndGet();
        losses.incrementAndGet();
        List<FilePattern> patterns = compiled.patterns;
        StringBuilder trees = new StringBuilder();
        for (int i = 0; i < patterns.size() && i < MAX_LISTED_PATTERNS; i++) trees.append(i == 0 ? "" : ", ").append(patterns.get(i).text);
        if (patterns.size() > MAX_LISTED_PATTERNS) trees.append(" and ").append(patterns.size() - MAX_LISTED_PATTERNS).append(" more");
        String reason = "IN_Q_OVERFLOW: the inotify queue overflowed (fs.inotify.max_queued_events was " + queueLimit
                + " when the instance was made), file events were lost; rescanning " + trees;
        append(new LossEvent(Clock.nowNanos(), SOURCE, -1, reason));
        log.warn("inotify: {} (overflow #{})", reason, n);
        clearScanned(); // events were lost: the rescan reports every file once more
        reconcile(Mode.RESCAN);
    }

    // ---------------------------------------------------------------------------------------------
    // Watch placement

    /** Walks every pattern from the root and makes the watches match exactly; removes the rest. */
    private void reconcile(Mode mode) {
        Compiled c = compiled;
        Pass pass = new Pass(mode, true);
        for (FilePattern p : c.patterns) {
            if (closing) return;
            plan(p, PathBytes.ROOT, PathBytes.NO_COMPONENTS, pass, true);
        }
        if (closing) return;
        for (Watch w : new ArrayList<>(byPath.values())) {
            LinkedHashSet<Rule> rules = pass.rules.get(w.key);
            if (rules == null) {
                forget(w);
                Libc.inotify_rm_watch(fd, w.wd);
                continue;
            }
            w.rules = rules;
            w.excludedChildren = c.excludes.excludedChildren(w.comps);
            int m = maskOf(rules);
            if (m != w.mask) place(w.path, w.comps, w.key, m, pass, w.follow);
        }
        updateActive();
        finishPass(pass);
    }

    /** Places what the pattern needs at this directory (which matches the pattern's first components) and below. */
    private void plan(FilePattern p, byte[] dir, byte[][] comps, Pass pass, boolean follow) {
        if (closing) return;
        ExcludeSet excludes = compiled.excludes;
        if (excludes.noWatch(comps)) return;
        int d = comps.length, k = p.comps.length;
        if (p.recursive) {
            if (d < k) navigate(p, dir, comps, p.comps[d], pass, follow);
            else content(p, dir, comps, Component.ANY, true, pass, follow);
        } else if (d < k - 1) {
            navigate(p, dir, comps, p.comps[d], pass, follow);
        } else if (d == k - 1) {
            Component last = p.comps[k - 1];
            content(p, dir, comps, last, false, pass, follow);
            if (p.literal) {
                byte[] target = PathBytes.child(dir, last.bytes);
                if (isDirectory(target)) plan(p, target, PathBytes.append(comps, last.bytes), pass, true);
            }
        } else if (d == k && p.literal) {
            content(p, dir, comps, Component.ANY, false, pass, follow);
        }
    }

    /** A directory on the way: watch it for the next component appearing, and descend where it exists. */
    private void navigate(FilePattern p, byte[] dir, byte[][] comps, Component next, Pass pass, boolean follow) {
        Rule rule = new Rule(p, false, next);
        if (next.isLiteral()) {
            byte[] child = PathBytes.child(dir, next.bytes);
            byte[][] cc = PathBytes.append(comps, next.bytes);
            if (isDirectory(child)) {
                plan(p, child, cc, pass, true);
                return;
            }
            if (compiled.excludes.noWatch(cc)) return;
            ensure(dir, comps, rule, pass, follow);
            if (isDirectory(child)) plan(p, child, cc, pass, true); // appeared before the watch was in place
            return;
        }
        ensure(dir, comps, rule, pass, follow);
        List<Entry> entries = list(dir);
        if (entries == null) return;
        for (Entry e : entries) {
            if (!next.matches(e.name)) continue;
            byte[] child = PathBytes.child(dir, e.name);
            boolean isDir = e.type == Libc.DT_DIR
                    || ((e.type == Libc.DT_UNKNOWN || e.type == Libc.DT_LNK) && isDirectory(child));
            if (isDir) plan(p, child, PathBytes.append(comps, e.name), pass, true);
        }
    }

    /** A directory whose children (matching matcher) are reported; recursive patterns descend into every subdirectory. */
    private void content(FilePattern p, byte[] dir, byte[][] comps, Component matcher, boolean descend, Pass pass, boolean follow) {
        Watch w = ensure(dir, comps, new Rule(p, true, matcher), pass, follow);
        boolean synth = pass.mode == Mode.RESCAN || (pass.mode == Mode.NEW && w != null && w.createdPass == pass.id);
        if (!synth && !descend) return;
        List<Entry> entries = list(dir);
        if (entries == null) return;
        Set<Key> excluded = compiled.excludes.excludedChildren(comps);
        for (Entry e : entries) {
            if (closing) return;
            if (!excluded.isEmpty() && excluded.contains(new Key(e.name))) continue;
            byte[] child = PathBytes.child(dir, e.name);
            boolean isDir = e.type == Libc.DT_DIR || (e.type == Libc.DT_UNKNOWN && isDirectory(child));
            if (synth && matcher.matches(e.name)) synthetic(w, e.name, p, child, isDir);
            if (descend && isDir) plan(p, child, PathBytes.append(comps, e.name), pass, false);
        }
    }

    /** Makes sure the directory is watched with at least this rule's mask, and records the rule. Null if it cannot be watched. */
    private Watch ensure(byte[] dir, byte[][] comps, Rule rule, Pass pass, boolean follow) {
        Key key = new Key(dir);
        Watch w = byPath.get(key);
        int need;
        if (pass.rules != null) {
            LinkedHashSet<Rule> rs = pass.rules.computeIfAbsent(key, x -> new LinkedHashSet<>());
            rs.add(rule);
            need = maskOf(rs);
        } else {
            need = rule.mask();
        }
        boolean call = w == null || (w.mask & need) != need || (pass.mode == Mode.RESCAN && w.checkedPass != pass.id);
        if (call) {
            w = place(dir, comps, key, w == null ? need : w.mask | need, pass, follow);
            if (w == null) return null;
        }
        if (pass.rules == null) w.rules.add(rule);
        return w;
    }

    /** inotify_add_watch, and the maps kept in step with what the kernel answered. */
    private Watch place(byte[] dir, byte[][] comps, Key key, int mask, Pass pass, boolean follow) {
        int flags = mask | WATCH_FLAGS | (follow ? 0 : Libc.IN_DONT_FOLLOW);
        int wd = Libc.inotify_add_watch(fd, Libc.cPath(dir), flags);
        if (wd < 0) {
            watchFailed(dir, key, Native.getLastError(), pass);
            return null;
        }
        Watch old = byPath.get(key);
        if (old != null && old.wd == wd) {
            old.mask = mask;
            old.checkedPass = pass.id;
            return old;
        }
        if (old != null) {
            // The path names another directory than the one watched (replaced while events were lost).
            forget(old);
            Libc.inotify_rm_watch(fd, old.wd);
        }
        Watch alias = byWd.get(wd);
        if (alias != null) forget(alias); // this directory was known under a stale path
        Watch w = new Watch(wd, dir, comps, key, follow, mask, pass.id);
        if (old != null) w.rules.addAll(old.rules);
        w.excludedChildren = compiled.excludes.excludedChildren(comps);
        byWd.put(wd, w);
        byPath.put(key, w);
        updateActive();
        Consumer<String> hook = newWatchHook;
        if (hook != null) hook.accept(w.key.toString());
        return w;
    }

    private void watchFailed(byte[] dir, Key key, int errno, Pass pass) {
        switch (errno) {
            case Libc.ENOENT, Libc.ENOTDIR, Libc.ELOOP -> {
                // Gone again, or not a directory (a race with a rename or a symlink): nothing to watch.
            }
            case Libc.ENOSPC -> {
                watchErrors.incrementAndGet();
                if (pass.enospc++ == 0) pass.firstEnospc = dir;
            }
            default -> {
                watchErrors.incrementAndGet();
                if (warnedPaths.size() < 10_000 && warnedPaths.add(key)) {
                    log.warn("inotify: cannot watch {}: {}", PathBytes.show(dir), Libc.errorText(errno));
                }
            }
        }
    }

    /** After a placement pass: one loss record and (rate-limited) one ERROR when watches ran out. */
    private void finishPass(Pass pass) {
        if (pass.enospc == 0) return;
        losses.incrementAndGet();
        String first = PathBytes.show(pass.firstEnospc);
        int more = pass.enospc - 1;
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

    private void forget(Watch w) {
        if (byWd.get(w.wd) == w) byWd.remove(w.wd);
        if (byPath.get(w.key) == w) byPath.remove(w.key);
        dropScanned(w);
        updateActive();
    }

    // ---------------------------------------------------------------------------------------------
    // Children reported by scans (Watch.scanned)
    //
    // The race: a directory appears, gets its watch, and is scanned. A child created between
    // inotify_add_watch and the getdents that returns it is both in the scan and in the kernel queue. The
    // scan reports it first, so the kernel's IN_CREATE for a name the scan reported (and nothing removed
    // since) is that same creation. Creation holds the directory's lock until the event is queued, and
    // getdents takes that lock, so the event is queued before the scan ends: once a later read finds the
    // queue empty, it has been handled if it exists, and the names are forgotten (memory only: a name is
    // never a reason to drop anything but its one duplicate, and forgetting early could at worst let a
    // duplicate through, never lose a creation).

    /** Records that a scan reported name as created for category; false if it already was (and was not removed since). */
    private boolean noteScanned(Watch w, byte[] name, String category) {
        Key k = new Key(name);
        Set<String> categories = w.scanned == null ? null : w.scanned.get(k);
        if (categories != null && categories.contains(category)) return false;
        if (categories == null && scannedNames >= MAX_SCANNED_NAMES) return true; // bounded memory; a duplicate is possible
        if (w.scanned == null) w.scanned = new HashMap<>();
        if (categories == null) {
            w.scanned.put(k, Set.of(category));
            scannedNames++;
        } else {
            Set<String> more = new HashSet<>(categories);
            more.add(category);
            w.scanned.put(k, more);
        }
        w.scannedRead = reads;
        scannedWatches.remove(w);
        scannedWatches.add(w);
        return true;
    }

    /** Removes name from w's scanned names; returns the categories it was reported for, or null. */
    private Set<String> takeScanned(Watch w, byte[] name) {
        Set<String> categories = w.scanned.remove(new Key(name));
        if (categories != null) scannedNames--;
        if (w.scanned.isEmpty()) dropScanned(w);
        return categories;
    }

    private void dropScanned(Watch w) {
        if (w.scanned == null) return;
        scannedNames -= w.scanned.size();
        w.scanned = null;
        scannedWatches.remove(w);
    }

    /** The queue was found empty by read number read: forgets the names recorded before it. */
    private void expireScanned(long read) {
        for (var it = scannedWatches.iterator(); it.hasNext(); ) {
            Watch w = it.next();
            if (w.scannedRead >= read) break;
            scannedNames -= w.scanned.size();
            w.scanned = null;
            it.remove();
        }
    }

    private void clearScanned() {
        for (Watch w : scannedWatches) w.scanned = null;
        scannedWatches.clear();
        scannedNames = 0;
    }

    /** Drops the watches on this directory and everything below it (moved away or deleted). */
    private void removeSubtree(byte[] dir, boolean rmWatch) {
        List<Watch> gone = new ArrayList<>();
        Watch self = byPath.get(new Key(dir));
        if (self != null) gone.add(self);
        boolean root = dir.length == 1 && dir[0] == '/';
        byte[] lo = root ? dir : PathBytes.child(dir, new byte[0]); // "dir/"
        byte[] hi = lo.clone();
        hi[hi.length - 1] = (byte) ('/' + 1);
        gone.addAll(root ? byPath.values() : byPath.subMap(new Key(lo), true, new Key(hi), false).values());
        for (Watch w : gone) {
            forget(w);
            if (rmWatch) Libc.inotify_rm_watch(fd, w.wd);
        }
    }

    private void updateActive() {
        watchesActive = byWd.size();
    }

    private static int maskOf(Set<Rule> rules) {
        int m = 0;
        for (Rule r : rules) m |= r.mask();
        return m;
    }

    // ---------------------------------------------------------------------------------------------
    // Directories through libc (names as bytes)

    private static boolean isDirectory(byte[] path) {
        Pointer d = Libc.opendir(Libc.cPath(path));
        if (d == null) return false;
        Libc.closedir(d);
        return true;
    }

    /** The entries of a directory (without . and ..), or null if it cannot be read. */
    private static List<Entry> list(byte[] dir) {
        Pointer d = Libc.opendir(Libc.cPath(dir));
        if (d == null) return null;
        try {
            List<Entry> out = new ArrayList<>();
            for (Pointer e; (e = Libc.readdir(d)) != null; ) {
                int len = 0;
                while (e.getByte(Libc.DIRENT_NAME + len) != 0) len++;
                byte[] name = e.getByteArray(Libc.DIRENT_NAME, len);
                if (len == 1 && name[0] == '.' || len == 2 && name[0] == '.' && name[1] == '.') continue;
                out.add(new Entry(name, e.getByte(Libc.DIRENT_TYPE) & 0xff));
            }
            return out;
        } finally {
            Libc.closedir(d);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Plumbing

    private void runTasks() {
        Task t;
        while ((t = tasks.poll()) != null) {
            try {
                t.done.complete(t.work.call());
            } catch (Throwable e) {
                t.done.completeExceptionally(e);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private <T> T onThread(Callable<T> work) {
        Task t = new Task(work, new CompletableFuture<>());
        tasks.add(t);
        wake();
        try {
            return (T) t.done.get(TASK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the inotify publisher", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("inotify publisher: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("inotify publisher did not answer within " + TASK_TIMEOUT_SECONDS + " s", e);
        }
    }

    private <T> T onThreadOrHere(Callable<T> work) {
        if (isRunning() && Thread.currentThread() != threadOrNull()) return onThread(work);
        try {
            return work.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Thread threadOrNull() {
        synchronized (lock) {
            return thread;
        }
    }

    private void wake() {
        wakeup.signal();
    }

    private void closeFds() {
        synchronized (lock) {
            if (fdsClosed) return;
            fdsClosed = true;
            Libc.close(fd);
            wakeup.close();
        }
        byWd.clear();
        byPath.clear();
        clearScanned();
        watchesActive = 0;
    }


    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A /proc/sys value. One read from offset 0: a sysctl file answers a read at a non-zero offset with
     * nothing, so a reader that starts with a 1-byte read (as {@code Files.readString} does for files of
     * size 0) sees only the first digit.
     */
    static String sysctl(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] b = new byte[64];
            int n = in.read(b);
            return n <= 0 ? "unknown" : new String(b, 0, n, StandardCharsets.US_ASCII).trim();
        } catch (Exception e) {
            return "unknown";
        }
    }
}
