package io.hostql.publishers.uevent;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import io.hostql.events.Clock;
import io.hostql.events.Event;
import io.hostql.events.EventSink;
import io.hostql.events.HardwareEvent;
import io.hostql.events.LossEvent;
import io.hostql.events.SystemEvent;
import io.hostql.os.Libc;
import io.hostql.publishers.RateLimitedLog;
import io.hostql.publishers.SafeSink;
import io.hostql.publishers.Wakeup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The uevent publisher: device hotplug for {@code hardware_events}. One NETLINK_KOBJECT_UEVENT socket,
 * read on its own thread ({@code hostql-uevent}); every uevent becomes one {@link HardwareEvent} in the
 * journal, with the sysfs attributes that identify the device read as it arrives.
 *
 * <p>Source: the kernel's group, or systemd-udevd's (whose messages carry udev's properties: ID_VENDOR,
 * ID_MODEL_FROM_DATABASE, ID_SERIAL_SHORT, ...). {@code auto} uses udev's while systemd-udevd runs and
 * switches when it starts or stops. Messages are accepted only from the kernel on the kernel group and
 * from root processes on the udev group, as libudev does.
 *
 * <p>Loss: the socket gets a large receive buffer (SO_RCVBUFFORCE as root). When the kernel still
 * reports ENOBUFS, the publisher reads what is queued, scans /sys, and emits the device additions and
 * removals it missed as {@link HardwareEvent#SYNTHETIC} events, after a {@link LossEvent} that says how
 * many uevents were dropped (from the gap in the kernel's sequence numbers). Events that arrive while it
 * scans decide for their devices, so a real event is never contradicted by a synthetic one.
 */
public final class UeventPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UeventPublisher.class);

    static final String SOURCE = "uevent";
    static final String THREAD_NAME = "hostql-uevent";
    private static final int BUFFER_SIZE = 64 * 1024;
    private static final int CONTROL_SIZE = 64;
    private static final int POLL_MILLIS = 1000;
    private static final long UDEV_CHECK_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long RESYNC_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long RESYNC_DRAIN_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long DEDUPE_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final int MAX_PER_ROUND = 4096;
    private static final int RECENT_SEQNUMS = 4096;
    private static final long CLOSE_WAIT_MILLIS = 1000;

    /** Which netlink group to read: {@code hardware_events_source}. */
    public enum Source {
        AUTO, KERNEL, UDEV;

        public static Source parse(String s) {
            try {
                return valueOf(s.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("hardware_events_source must be auto, kernel or udev, not '" + s + "'");
            }
        }
    }

    /** Counters for status and tests. */
    public record Stats(String group, int receiveBufferBytes, long received, long published, long rejected, long duplicates,
            long overflows, long lost, long resyncs, long synthetic, int devicesKnown) {}

    /** What the publisher remembers of a device: its last properties, and the attributes read while it existed. */
    private record Known(byte[] properties, byte[] attributes) {}

    private enum Read { MESSAGE, EMPTY, OVERFLOW }

    private final EventSink sink;
    private final Source mode;
    private final Sysfs sysfs;
    private final Udevd udevd;
    private final int fd;
    private final Wakeup wakeup;
    /** hardware_events_receive_buffer, as asked. */
    private final int receiveBufferAsked;
    /** SO_RCVBUF as the kernel reports it: twice what it granted (the other half is for its bookkeeping). */
    private final int receiveBuffer;
    private final Memory buffer = new Memory(BUFFER_SIZE);
    private final Memory name = new Memory(Libc.SOCKADDR_NL_SIZE);
    private final Memory control = new Memory(CONTROL_SIZE);
    private final Memory iov = new Memory(16);
    private final Memory msghdr = new Memory(Libc.MSGHDR_SIZE);
    private final Memory pollFds = new Memory(16);

    private volatile int group;

    // Owned by the publisher thread.
    private final Map<String, Known> known = new HashMap<>();
    private final LinkedHashMap<Long, Boolean> recentKernelSeqnums = new LinkedHashMap<>(RECENT_SEQNUMS * 2, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > RECENT_SEQNUMS;
        }
    };
    private long dedupeUntil;
    private long maxSeq = -1;
    /** Overflow window: the highest SEQNUM received before the first ENOBUFS, and how many arrived after it. */
    private long lossFrom = -1;
    private long receivedInWindow;
    private int overflowsInWindow;
    private boolean overflowDuringResync;
    private boolean resyncPending;
    private long lastResync = System.nanoTime() - RESYNC_INTERVAL_NANOS;
    private Set<String> touched;
    private long touchFloor;
    private long lastUdevCheck = System.nanoTime();
    private boolean udevdSeen;
    private final RateLimitedLog errors = new RateLimitedLog(log, 10);
    /** Never throws: the reader loop goes on draining the kernel whatever the journal does. */
    private final SafeSink safeSink;

    private final AtomicLong received = new AtomicLong(), published = new AtomicLong(), rejected = new AtomicLong(),
            duplicates = new AtomicLong(), overflows = new AtomicLong(), lost = new AtomicLong(), resyncs = new AtomicLong(),
            synthetic = new AtomicLong();
    private volatile int devicesKnown;

    private final CountDownLatch ready = new CountDownLatch(1);
    private final Object lock = new Object();
    private Thread thread; // guarded by lock
    private boolean closed; // guarded by lock
    private boolean fdsClosed; // guarded by lock
    private volatile boolean closing;
    private volatile boolean pauseRequested;
    private volatile boolean paused;

    /**
     * Opens and binds the socket (so nothing is missed from here on) with a receive buffer of
     * receiveBufferBytes. Throws IllegalStateException naming the failing call when the kernel refuses.
     */
    public UeventPublisher(Source mode, int receiveBufferBytes, EventSink sink) {
        this(mode, receiveBufferBytes, sink, new Sysfs(Path.of("/sys")), Udevd.system());
    }

    UeventPublisher(Source mode, int receiveBufferBytes, EventSink sink, Sysfs sysfs, Udevd udevd) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.safeSink = new SafeSink(sink, "uevent", errors);
        this.mode = Objects.requireNonNull(mode, "mode");
        this.sysfs = sysfs;
        this.udevd = udevd;
        udevdSeen = udevd.running();
        group = mode == Source.UDEV || (mode == Source.AUTO && udevdSeen) ? Libc.GROUP_UDEV : Libc.GROUP_KERNEL;
        int s = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC,
                Libc.NETLINK_KOBJECT_UEVENT);
        if (s < 0) throw new IllegalStateException("socket(AF_NETLINK, NETLINK_KOBJECT_UEVENT) failed: " + Libc.errorText(Native.getLastError()));
        try {
            receiveBufferAsked = receiveBufferBytes;
            receiveBuffer = setReceiveBuffer(s, receiveBufferBytes);
            check(Libc.setsockopt(s, Libc.SOL_SOCKET, Libc.SO_PASSCRED, new int[] {1}, 4), "setsockopt(SO_PASSCRED)");
            Memory addr = new Memory(Libc.SOCKADDR_NL_SIZE);
            addr.clear();
            addr.setShort(0, (short) Libc.AF_NETLINK);
            addr.setInt(Libc.NL_GROUPS, group);
            check(Libc.bind(s, addr, Libc.SOCKADDR_NL_SIZE), "bind to uevent group " + group);
            wakeup = new Wakeup();
        } catch (RuntimeException e) {
            Libc.close(s);
            throw e;
        }
        fd = s;
        maxSeq = sysfs.seqnum();
        iov.setPointer(0, buffer);
        iov.setLong(8, BUFFER_SIZE);
    }

    private static void check(int r, String what) {
        if (r < 0) throw new IllegalStateException(what + " failed: " + Libc.errorText(Native.getLastError()));
    }

    /**
     * SO_RCVBUFFORCE (root, CAP_NET_ADMIN) sets the size asked for; otherwise SO_RCVBUF, which the kernel
     * caps at net.core.rmem_max. Returns what the kernel reports: twice what it granted, the other half
     * being for its bookkeeping.
     */
    private static int setReceiveBuffer(int s, int bytes) {
        int[] v = {bytes};
        if (Libc.setsockopt(s, Libc.SOL_SOCKET, Libc.SO_RCVBUFFORCE, v, 4) < 0) {
            int errno = Native.getLastError();
            check(Libc.setsockopt(s, Libc.SOL_SOCKET, Libc.SO_RCVBUF, v, 4), "setsockopt(SO_RCVBUF)");
            int[] got = {0};
            Libc.getsockopt(s, Libc.SOL_SOCKET, Libc.SO_RCVBUF, got, new int[] {4});
            if (got[0] / 2 < bytes) {
                log.warn("uevent: receive buffer {}: less than asked, as SO_RCVBUFFORCE was refused ({}) and SO_RCVBUF is capped "
                        + "by net.core.rmem_max; run as root or raise net.core.rmem_max", describeReceiveBuffer(bytes, got[0]),
                        Libc.errorText(errno));
            }
            return got[0];
        }
        int[] got = {0};
        Libc.getsockopt(s, Libc.SOL_SOCKET, Libc.SO_RCVBUF, got, new int[] {4});
        return got[0];
    }

    /** For the status log: what was asked and what the kernel reports, in MiB, as the README states it. */
    static String describeReceiveBuffer(int asked, int reported) {
        return mib(asked) + " asked, " + mib(reported) + " reported by the kernel (which doubles SO_RCVBUF for its bookkeeping)";
    }

    static String mib(long bytes) {
        double m = bytes / (double) (1 << 20);
        if (bytes % (1 << 20) == 0) return (bytes >> 20) + " MiB";
        return (m >= 10 ? String.format(Locale.ROOT, "%.1f", m) : String.format(Locale.ROOT, "%.3g", m)) + " MiB";
    }

    // ---------------------------------------------------------------------------------------------
    // Public API

    /** Scans /sys for the devices present (the baseline for resyncs) and starts reading on thread hostql-uevent. */
    public void start() {
        synchronized (lock) {
            if (closed) throw new IllegalStateException("uevent publisher is closed");
            if (thread != null) throw new IllegalStateException("uevent publisher already started");
            thread = new Thread(this::run, THREAD_NAME);
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

    public Stats stats() {
        return new Stats(groupName(group), receiveBuffer, received.get(), published.get(), rejected.get(), duplicates.get(),
                overflows.get(), lost.get(), resyncs.get(), synthetic.get(), devicesKnown);
    }

    /** "kernel" or "udev": the group read now. */
    public String group() {
        return groupName(group);
    }

    private static String groupName(int g) {
        return g == Libc.GROUP_UDEV ? "udev" : "kernel";
    }

    /** Stops the thread (within about a second) and closes the socket. Idempotent. */
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
        synchronized (lock) {
            lock.notifyAll();
        }
        try {
            t.join(CLOSE_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) log.warn("uevent publisher thread did not stop within {} ms; it closes its socket when it does", CLOSE_WAIT_MILLIS);
    }

    // ---------------------------------------------------------------------------------------------
    // Package-private hooks for tests

    /** Stops reading the socket (the kernel fills its buffer, then drops) until {@link #resumeReading()}. */
    void pauseReading() {
        pauseRequested = true;
        wake();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!paused && System.nanoTime() < deadline) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!paused) throw new IllegalStateException("publisher thread did not pause");
    }

    void resumeReading() {
        pauseRequested = false;
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    int socketFd() {
        return fd;
    }

    // ---------------------------------------------------------------------------------------------
    // The thread

    private void run() {
        try {
            try {
                for (Sysfs.Device d : sysfs.scan().values()) {
                    known.put(d.devpath(), new Known(d.properties(), hasDevtype(d.properties()) ? sysfs.attributes(d.devpath()) : null));
                }
                devicesKnown = known.size();
                log.info("uevent: started on the {} group{}, receive buffer {}, {} devices present", groupName(group),
                        mode == Source.AUTO ? " (hardware_events_source auto: systemd-udevd " + (udevdSeen ? "runs" : "does not run") + ")" : "",
                        describeReceiveBuffer(receiveBufferAsked, receiveBuffer), known.size());
                if (mode == Source.UDEV && !udevdSeen) {
                    log.warn("uevent: hardware_events_source is udev but systemd-udevd does not run: no hardware events are seen until it starts");
                }
            } catch (RuntimeException e) {
                log.error("uevent: scanning /sys for the devices present failed; a resync after lost events cannot report removals", e);
            } finally {
                ready.countDown();
            }
            pollFds.setInt(0, fd);
            pollFds.setShort(4, Libc.POLLIN);
            pollFds.setInt(8, wakeup.fd());
            pollFds.setShort(12, Libc.POLLIN);
            while (!closing) {
                if (pauseRequested) {
                    waitWhilePaused();
                    continue;
                }
                int timeout = POLL_MILLIS;
                if (resyncPending) timeout = (int) Math.max(0, Math.min(timeout, (lastResync + RESYNC_INTERVAL_NANOS - System.nanoTime()) / 1_000_000));
                pollFds.setShort(6, (short) 0);
                pollFds.setShort(14, (short) 0);
                int r = Libc.poll(pollFds, 2, timeout);
                if (r < 0) {
                    int errno = Native.getLastError();
                    if (errno != Libc.EINTR) {
                        errors.warn("uevent: poll failed: " + Libc.errorText(errno));
                        sleepQuietly(100);
                    }
                    continue;
                }
                if (pollFds.getShort(14) != 0) wakeup.drain();
                if (closing) break;
                if (pauseRequested) continue;
                boolean drained = pollFds.getShort(6) == 0 || drain(MAX_PER_ROUND);
                long now = System.nanoTime();
                if (resyncPending && drained && now - lastResync >= RESYNC_INTERVAL_NANOS) resync(null);
                if (now - lastUdevCheck >= UDEV_CHECK_NANOS) checkUdevd(now);
            }
        } catch (Throwable t) {
            if (closing) return; // failing while closing loses nothing: the publisher was stopping
            // A dead reader is a blind agent: the thread dies on, and hostqld's uncaught-exception handler ends the
            // process non-zero so that systemd restarts it (io.hostql.daemon.Fatal), instead of running on without hardware events.
            log.error("uevent: publisher thread failed; hardware events are no longer captured", t);
            throw t;
        } finally {
            paused = false;
            closeFds();
        }
    }

    private void waitWhilePaused() {
        synchronized (lock) {
            paused = true;
            while (pauseRequested && !closing) {
                try {
                    lock.wait(100);
                } catch (InterruptedException e) {
                    break;
                }
            }
            paused = false;
        }
    }

    /** Reads up to limit messages; true when the socket is empty. */
    private boolean drain(int limit) {
        for (int i = 0; i < limit && !closing; i++) {
            if (receive() == Read.EMPTY) return true;
        }
        return false;
    }

    private Read receive() {
        name.clear();
        msghdr.setPointer(0, name);
        msghdr.setInt(8, Libc.SOCKADDR_NL_SIZE);
        msghdr.setPointer(16, iov);
        msghdr.setLong(24, 1);
        msghdr.setPointer(32, control);
        msghdr.setLong(40, CONTROL_SIZE);
        msghdr.setInt(48, 0);
        long n = Libc.recvmsg(fd, msghdr, Libc.MSG_DONTWAIT);
        if (n < 0) {
            int errno = Native.getLastError();
            switch (errno) {
                case Libc.EAGAIN:
                    return Read.EMPTY;
                case Libc.EINTR:
                    return Read.MESSAGE;
                case Libc.ENOBUFS:
                    overflow();
                    return Read.OVERFLOW;
                default:
                    errors.warn("uevent: recvmsg failed: " + Libc.errorText(errno));
                    sleepQuietly(100);
                    return Read.EMPTY;
            }
        }
        received.incrementAndGet();
        if ((msghdr.getInt(48) & Libc.MSG_TRUNC) != 0) {
            reject("a uevent longer than " + BUFFER_SIZE + " bytes (truncated)");
            return Read.MESSAGE;
        }
        int senderPort = name.getInt(Libc.NL_PID), groups = name.getInt(Libc.NL_GROUPS);
        if (groups == Libc.GROUP_KERNEL) {
            if (senderPort != 0) {
                reject("a message on the kernel's uevent group sent by a process (netlink port " + Integer.toUnsignedString(senderPort) + "), not the kernel");
                return Read.MESSAGE;
            }
        } else if (groups == Libc.GROUP_UDEV) {
            int uid = senderUid();
            if (senderPort == 0 || uid != 0) {
                reject("a message on udev's uevent group from " + (senderPort == 0 ? "the kernel" : "uid " + Integer.toUnsignedString(uid))
                        + " (udev's messages come from systemd-udevd, as root)");
                return Read.MESSAGE;
            }
        } else {
            reject("a message sent to netlink groups 0x" + Integer.toHexString(groups) + " (not the kernel's or udev's uevent group)");
            return Read.MESSAGE;
        }
        UeventMessage m;
        try {
            m = UeventMessage.decode(buffer.getByteArray(0, (int) n), (int) n);
        } catch (UeventMessage.MalformedException e) {
            reject("a malformed uevent: " + e.getMessage());
            return Read.MESSAGE;
        }
        try {
            handle(m);
        } catch (RuntimeException e) {
            errors.error("uevent: failed to handle " + m.action() + " " + m.devpath(), e);
        }
        return Read.MESSAGE;
    }

    /** The uid of an SCM_CREDENTIALS control message, or -1. */
    private int senderUid() {
        long len = msghdr.getLong(40);
        long off = 0;
        while (off + Libc.CMSG_DATA <= len) {
            long clen = control.getLong(off);
            if (clen < Libc.CMSG_DATA || off + clen > len) break;
            if (control.getInt(off + Libc.CMSG_LEVEL) == Libc.SOL_SOCKET
                    && control.getInt(off + Libc.CMSG_TYPE) == Libc.SCM_CREDENTIALS) {
                return control.getInt(off + Libc.CMSG_DATA + Libc.UCRED_UID);
            }
            off += (clen + 7) & ~7L;
        }
        return -1;
    }

    private void reject(String what) {
        rejected.incrementAndGet();
        errors.warn("uevent: ignored " + what);
    }

    private void handle(UeventMessage m) {
        long seq = seqnum(m.property("SEQNUM"));
        long now = System.nanoTime();
        if (m.source() == HardwareEvent.SOURCE_UDEV && seq >= 0 && now < dedupeUntil && recentKernelSeqnums.containsKey(seq)) {
            duplicates.incrementAndGet(); // published from the kernel's group before the switch to udev's
            return;
        }
        if (m.source() == HardwareEvent.SOURCE_KERNEL && seq >= 0) {
            account(seq);
            recentKernelSeqnums.put(seq, Boolean.TRUE);
        }
        String devpath = m.devpath();
        boolean device = devpath.startsWith("/devices/");
        byte[] attributes = null;
        if (m.action().equals("remove")) {
            Known k = known.remove(devpath);
            if (k != null) attributes = k.attributes;
        } else {
            if (m.property("DEVTYPE") != null) attributes = sysfs.attributes(devpath);
            if (m.action().equals("move")) {
                String old = m.property("DEVPATH_OLD");
                Known k = old == null ? null : known.remove(old);
                if (touched != null && old != null) touched.add(old);
                if (attributes == null && k != null) attributes = k.attributes;
            }
            if (device) {
                Known prev = known.get(devpath);
                known.put(devpath, new Known(m.properties(), attributes != null ? attributes : prev == null ? null : prev.attributes));
            }
        }
        devicesKnown = known.size();
        if (touched != null && (seq < 0 || seq > touchFloor)) touched.add(devpath);
        append(new HardwareEvent(Clock.nowNanos(), m.source(), 0, m.action(), devpath, m.properties(), attributes));
        published.incrementAndGet();
    }

    private static long seqnum(String s) {
        if (s == null) return -1;
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Counts kernel messages after the start of an overflow window, to tell how many sequence numbers never arrived. */
    private void account(long seq) {
        if (lossFrom >= 0 && seq > lossFrom) receivedInWindow++;
        if (seq > maxSeq) maxSeq = seq;
    }

    private void overflow() {
        overflows.incrementAndGet();
        overflowsInWindow++;
        if (touched != null) overflowDuringResync = true;
        if (lossFrom < 0) {
            lossFrom = maxSeq;
            receivedInWindow = 0;
        }
        resyncPending = true;
    }

    /**
     * After ENOBUFS: scans /sys between two readings of /sys/kernel/uevent_seqnum, then reads what is
     * queued up to the second one (those events are published as usual, and the ones after the first
     * reading decide for their devices), then writes the loss record and the synthetic additions and
     * removals that bring the journal's view of the devices present in line with /sys.
     */
    private void resync(String cause) {
        resyncPending = false;
        lastResync = System.nanoTime();
        resyncs.incrementAndGet();
        boolean kernel = group == Libc.GROUP_KERNEL;
        long before = sysfs.seqnum();
        Map<String, Sysfs.Device> now = null;
        String scanError = null;
        try {
            now = sysfs.scan();
        } catch (RuntimeException e) {
            scanError = e.getMessage();
        }
        long after = sysfs.seqnum();
        touched = new HashSet<>();
        touchFloor = before < 0 ? Long.MIN_VALUE : before;
        overflowDuringResync = false;
        Set<String> decided;
        boolean emptied = false;
        try {
            long deadline = System.nanoTime() + RESYNC_DRAIN_NANOS;
            while (!closing && System.nanoTime() < deadline) {
                if (receive() == Read.EMPTY) {
                    emptied = true;
                    break;
                }
                if (kernel && after >= 0 && maxSeq >= after) break;
            }
        } finally {
            decided = touched;
            touched = null;
        }
        List<HardwareEvent> missed = new ArrayList<>();
        int added = 0, removed = 0;
        if (now != null) {
            for (Sysfs.Device d : now.values()) {
                if (known.containsKey(d.devpath()) || decided.contains(d.devpath())) continue;
                byte[] props = withAction("add", d.properties());
                byte[] attrs = hasDevtype(props) ? sysfs.attributes(d.devpath()) : null;
                known.put(d.devpath(), new Known(props, attrs));
                missed.add(new HardwareEvent(Clock.nowNanos(), HardwareEvent.SOURCE_KERNEL, HardwareEvent.SYNTHETIC, "add", d.devpath(), props, attrs));
                added++;
            }
            for (String p : new ArrayList<>(known.keySet())) {
                if (now.containsKey(p) || decided.contains(p)) continue;
                Known k = known.remove(p);
                byte[] props = withAction("remove", k.properties);
                missed.add(new HardwareEvent(Clock.nowNanos(), HardwareEvent.SOURCE_KERNEL, HardwareEvent.SYNTHETIC, "remove", p, props, k.attributes));
                removed++;
            }
            devicesKnown = known.size();
        }
        // In order on the kernel's group: every SEQNUM up to `end` has arrived or was dropped.
        long end = emptied && after > maxSeq ? after : maxSeq;
        long count = -1;
        String dropped;
        if (cause != null) {
            dropped = cause;
        } else if (kernel && lossFrom >= 0 && end >= lossFrom) {
            count = Math.max(0, end - lossFrom - receivedInWindow);
            dropped = count + " uevents dropped by the kernel (the gap in SEQNUM " + (lossFrom + 1) + ".." + end
                    + "; uevents of other network namespaces are counted too)";
        } else {
            dropped = "uevents dropped (how many is not known" + (kernel ? ": /sys/kernel/uevent_seqnum is unreadable" : " on udev's group") + ")";
        }
        String reason = (cause != null ? "" : "netlink receive buffer (" + mib(receiveBuffer / 2) + " granted) overflowed (ENOBUFS"
                + (overflowsInWindow > 1 ? " " + overflowsInWindow + " times" : "") + "): ") + dropped + "; " + (now == null ? "/sys could not be scanned (" + scanError + "), so missed additions and removals are not known"
                        : "resynchronised from /sys: " + added + " device additions and " + removed + " removals were missed");
        if (count > 0) lost.addAndGet(count);
        append(new LossEvent(Clock.nowNanos(), SOURCE, count, reason));
        for (HardwareEvent e : missed) {
            append(e);
            synthetic.incrementAndGet();
            published.incrementAndGet();
        }
        log.warn("uevent: {}", reason);
        if (overflowDuringResync) {
            // Dropped again while reading the queue: a new window starts after what this one accounted for.
            lossFrom = end;
            receivedInWindow = 0;
            overflowsInWindow = 1;
            resyncPending = true;
        } else {
            lossFrom = -1;
            overflowsInWindow = 0;
        }
    }

    private static boolean hasDevtype(byte[] props) {
        return HardwareEvent.lookup(props, "DEVTYPE") != null;
    }

    /** The properties with ACTION set (first, as the kernel sends it) and SEQNUM dropped: a synthetic event has none. */
    private static byte[] withAction(String action, byte[] props) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("ACTION", action);
        HardwareEvent.toMap(props).forEach((k, v) -> {
            if (!k.equals("ACTION") && !k.equals("SEQNUM")) m.put(k, v);
        });
        return HardwareEvent.block(m);
    }

    /** auto: follow systemd-udevd starting and stopping; udev: say when it stops delivering. */
    private void checkUdevd(long now) {
        lastUdevCheck = now;
        if (mode == Source.KERNEL) return;
        boolean up = udevd.running();
        if (up == udevdSeen) return;
        udevdSeen = up;
        if (mode == Source.UDEV) {
            if (up) log.info("uevent: systemd-udevd started (pid {}); its events are read again", udevd.pid());
            else log.warn("uevent: systemd-udevd stopped; no hardware events are seen until it starts again (hardware_events_source is udev)");
            if (!up) append(new LossEvent(Clock.nowNanos(), SOURCE, -1, "systemd-udevd stopped: hardware events are not seen until it starts again"));
            return;
        }
        if (up) {
            switchGroup(Libc.GROUP_UDEV);
            dedupeUntil = now + DEDUPE_NANOS;
            String msg = "uevent: systemd-udevd started (pid " + udevd.pid() + "); now reading udev's events";
            log.info(msg);
            append(new SystemEvent(Clock.nowNanos(), msg));
        } else {
            switchGroup(Libc.GROUP_KERNEL);
            resync("systemd-udevd stopped, so hostql switched to the kernel's uevents; the events udevd had received but not passed on are lost");
        }
    }

    /** Joins the new group before leaving the old one, so no event falls between them. */
    private void switchGroup(int next) {
        int prev = group;
        if (prev == next) return;
        check(Libc.setsockopt(fd, Libc.SOL_NETLINK, Libc.NETLINK_ADD_MEMBERSHIP, new int[] {next}, 4),
                "joining uevent group " + next);
        group = next;
        if (Libc.setsockopt(fd, Libc.SOL_NETLINK, Libc.NETLINK_DROP_MEMBERSHIP, new int[] {prev}, 4) < 0) {
            log.warn("uevent: leaving group {} failed: {}", prev, Libc.errorText(Native.getLastError()));
        }
    }

    private void append(Event e) {
        safeSink.append(e);
    }

    // ---------------------------------------------------------------------------------------------
    // Plumbing

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
    }


    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
