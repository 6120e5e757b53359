package io.hostql.publishers.uevent;

import io.hostql.events.Clock;
import io.hostql.events.Event;
import io.hostql.events.HardwareEvent;
import io.hostql.events.LossEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The devices the journal has been told about, and the way back to /sys after lost uevents: the overflow
 * window (which kernel SEQNUMs never arrived), the rescan of /sys, and the synthetic additions and
 * removals it finds missed. Events that arrive while it scans decide for their devices, so a real event
 * is never contradicted by a synthetic one. Owned by the publisher's thread.
 */
final class Resync {
    private static final Logger log = LoggerFactory.getLogger(UeventPublisher.class);
    static final long RESYNC_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long RESYNC_DRAIN_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** What the publisher remembers of a device: its last properties, and the attributes read while it existed. */
    private record Known(byte[] properties, byte[] attributes) {}

    private final Sysfs sysfs;
    private final Consumer<Event> out;
    private final AtomicLong published;
    private final int receiveBuffer;
    private final Map<String, Known> known = new HashMap<>();
    private long maxSeq;
    /** Overflow window: the highest SEQNUM received before the first ENOBUFS, and how many arrived after it. */
    private long lossFrom = -1;
    private long receivedInWindow;
    private int overflowsInWindow;
    private boolean overflowDuringResync;
    boolean resyncPending;
    long lastResync = System.nanoTime() - RESYNC_INTERVAL_NANOS;
    private Set<String> touched;
    private long touchFloor;
    final AtomicLong overflows = new AtomicLong(), lost = new AtomicLong(), resyncs = new AtomicLong(), synthetic = new AtomicLong();
    volatile int devicesKnown;

    /** out: where events go; published: counts the synthetic ones too; receiveBuffer: SO_RCVBUF as reported, for the loss record. */
    Resync(Sysfs sysfs, Consumer<Event> out, AtomicLong published, int receiveBuffer) {
        this.sysfs = sysfs;
        this.out = out;
        this.published = published;
        this.receiveBuffer = receiveBuffer;
        maxSeq = sysfs.seqnum();
    }

    /** The devices present now: the baseline a resync compares /sys with. */
    int baseline() {
        for (Sysfs.Device d : sysfs.scan().values()) {
            known.put(d.devpath(), new Known(d.properties(), hasDevtype(d.properties()) ? sysfs.attributes(d.devpath()) : null));
        }
        devicesKnown = known.size();
        return known.size();
    }

    /** A uevent about to be published: the device view follows it; returns the device's attributes (read now, or remembered). */
    byte[] seen(UeventMessage m, long seq) {
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
        devicesKnown = known.size();
        if (touched != null && (seq < 0 || seq > touchFloor)) touched.add(devpath);
        return attributes;
    }

    /** Counts kernel messages after the start of an overflow window, to tell how many sequence numbers never arrived. */
    void account(long seq) {
        if (lossFrom >= 0 && seq > lossFrom) receivedInWindow++;
        if (seq > maxSeq) maxSeq = seq;
    }

    void overflow() {
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
    void resync(String cause, boolean kernel, Supplier<UeventSocket.Read> receive, BooleanSupplier closing) {
        resyncPending = false;
        lastResync = System.nanoTime();
        resyncs.incrementAndGet();
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
            while (!closing.getAsBoolean() && System.nanoTime() < deadline) {
                if (receive.get() == UeventSocket.Read.EMPTY) {
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
        String reason = (cause != null ? "" : "netlink receive buffer (" + UeventSocket.mib(receiveBuffer / 2) + " granted) overflowed (ENOBUFS"
                + (overflowsInWindow > 1 ? " " + overflowsInWindow + " times" : "") + "): ") + dropped + "; " + (now == null ? "/sys could not be scanned (" + scanError + "), so missed additions and removals are not known"
                        : "resynchronised from /sys: " + added + " device additions and " + removed + " removals were missed");
        if (count > 0) lost.addAndGet(count);
        append(new LossEvent(Clock.nowNanos(), UeventPublisher.SOURCE, count, reason));
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

    static boolean hasDevtype(byte[] props) {
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

    private void append(Event e) {
        out.accept(e);
    }
}
