package io.hostql.publishers.uevent;

import io.hostql.os.Libc;
import io.hostql.events.Clock;
import io.hostql.events.Event;
import io.hostql.events.EventSink;
import io.hostql.events.HardwareEvent;
import io.hostql.events.LossEvent;
import io.hostql.events.SystemEvent;
import io.hostql.publishers.ReaderThread;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
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
public final class UeventPublisher extends ReaderThread {
    private static final Logger log = LoggerFactory.getLogger(UeventPublisher.class);

    static final String SOURCE = "uevent";
    static final String THREAD_NAME = "hostql-uevent";
    private static final int POLL_MILLIS = 1000;
    private static final long UDEV_CHECK_NANOS = TimeUnit.SECONDS.toNanos(2);
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

    private final Source mode;
    private final Sysfs sysfs;
    private final Udevd udevd;
    /** The socket, and the decoding of what it delivers. */
    private final UeventSocket socket;
    /** The devices told about, and the resync after lost uevents; owned by the publisher thread. */
    private final Resync devices;
    private final LinkedHashMap<Long, Boolean> recentKernelSeqnums = new LinkedHashMap<>(RECENT_SEQNUMS * 2, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > RECENT_SEQNUMS;
        }
    };
    private long dedupeUntil;
    private long lastUdevCheck = System.nanoTime();
    private boolean udevdSeen;

    private final AtomicLong published = new AtomicLong(), duplicates = new AtomicLong();

    /**
     * Opens and binds the socket (so nothing is missed from here on) with a receive buffer of
     * receiveBufferBytes. Throws IllegalStateException naming the failing call when the kernel refuses.
     */
    public UeventPublisher(Source mode, int receiveBufferBytes, EventSink sink) {
        this(mode, receiveBufferBytes, sink, new Sysfs(Path.of("/sys")), Udevd.system());
    }

    UeventPublisher(Source mode, int receiveBufferBytes, EventSink sink, Sysfs sysfs, Udevd udevd) {
        super(new Options(SOURCE, THREAD_NAME, 0, CLOSE_WAIT_MILLIS, true, "hardware events", 10), log, sink);
        this.mode = Objects.requireNonNull(mode, "mode");
        this.sysfs = sysfs;
        this.udevd = udevd;
        udevdSeen = udevd.running();
        int group = mode == Source.UDEV || (mode == Source.AUTO && udevdSeen) ? Libc.GROUP_UDEV : Libc.GROUP_KERNEL;
        socket = new UeventSocket(group, receiveBufferBytes, errors);
        try {
            openWakeup();
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
        devices = new Resync(sysfs, this::append, published, socket.receiveBuffer);
    }

    // ---------------------------------------------------------------------------------------------
    // Public API

    /** Scans /sys for the devices present (the baseline for resyncs) and starts reading on thread hostql-uevent. */
    @Override
    public void start() {
        startThread();
    }

    public Stats stats() {
        return new Stats(group(), socket.receiveBuffer, socket.received.get(), published.get(), socket.rejected.get(), duplicates.get(),
                devices.overflows.get(), devices.lost.get(), devices.resyncs.get(), devices.synthetic.get(), devices.devicesKnown);
    }

    /** "kernel" or "udev": the group read now. */
    public String group() {
        return UeventSocket.groupName(socket.group());
    }

    // ---------------------------------------------------------------------------------------------
    // Package-private hooks for tests

    int socketFd() {
        return socket.fd;
    }

    // ---------------------------------------------------------------------------------------------
    // The thread

    @Override
    protected void starting() {
        try {
            int present = devices.baseline();
            log.info("uevent: started on the {} group{}, receive buffer {}, {} devices present", group(),
                    mode == Source.AUTO ? " (hardware_events_source auto: systemd-udevd " + (udevdSeen ? "runs" : "does not run") + ")" : "",
                    UeventSocket.describeReceiveBuffer(socket.receiveBufferAsked, socket.receiveBuffer), present);
            if (mode == Source.UDEV && !udevdSeen) {
                log.warn("uevent: hardware_events_source is udev but systemd-udevd does not run: no hardware events are seen until it starts");
            }
        } catch (RuntimeException e) {
            log.error("uevent: scanning /sys for the devices present failed; a resync after lost events cannot report removals", e);
        }
    }

    @Override
    protected int sourceFd() {
        return socket.fd;
    }

    @Override
    protected int pollTimeoutMillis() {
        int timeout = POLL_MILLIS;
        if (devices.resyncPending) {
            timeout = (int) Math.max(0, Math.min(timeout, (devices.lastResync + Resync.RESYNC_INTERVAL_NANOS - System.nanoTime()) / 1_000_000));
        }
        return timeout;
    }

    @Override
    protected void pollFailed(int errno) {
        errors.warn("uevent: poll failed: " + Libc.errorText(errno));
    }

    @Override
    protected void polled(boolean readable) {
        boolean drained = !readable || drain(MAX_PER_ROUND);
        long now = System.nanoTime();
        if (devices.resyncPending && drained && now - devices.lastResync >= Resync.RESYNC_INTERVAL_NANOS) resync(null);
        if (now - lastUdevCheck >= UDEV_CHECK_NANOS) checkUdevd(now);
    }

    /** Reads up to limit messages; true when the socket is empty. */
    private boolean drain(int limit) {
        for (int i = 0; i < limit && !closing; i++) {
            if (receive() == UeventSocket.Read.EMPTY) return true;
        }
        return false;
    }

    private UeventSocket.Read receive() {
        UeventSocket.Read r = socket.receive(this::handle);
        if (r == UeventSocket.Read.OVERFLOW) devices.overflow();
        return r;
    }

    private void resync(String cause) {
        devices.resync(cause, socket.group() == Libc.GROUP_KERNEL, this::receive, () -> closing);
    }

    private void handle(UeventMessage m) {
        long seq = seqnum(m.property("SEQNUM"));
        long now = System.nanoTime();
        if (m.source() == HardwareEvent.SOURCE_UDEV && seq >= 0 && now < dedupeUntil && recentKernelSeqnums.containsKey(seq)) {
            duplicates.incrementAndGet(); // published from the kernel's group before the switch to udev's
            return;
        }
        if (m.source() == HardwareEvent.SOURCE_KERNEL && seq >= 0) {
            devices.account(seq);
            recentKernelSeqnums.put(seq, Boolean.TRUE);
        }
        String devpath = m.devpath();
        byte[] attributes = devices.seen(m, seq);
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
            socket.switchGroup(Libc.GROUP_UDEV);
            dedupeUntil = now + DEDUPE_NANOS;
            String msg = "uevent: systemd-udevd started (pid " + udevd.pid() + "); now reading udev's events";
            log.info(msg);
            append(new SystemEvent(Clock.nowNanos(), msg));
        } else {
            socket.switchGroup(Libc.GROUP_KERNEL);
            resync("systemd-udevd stopped, so hostql switched to the kernel's uevents; the events udevd had received but not passed on are lost");
        }
    }

    private void append(Event e) {
        safeSink.append(e);
    }

    // ---------------------------------------------------------------------------------------------
    // Plumbing

    /** On the thread as it ends. */
    @Override
    protected void closeSource() {
        socket.close();
    }
}
