package io.hostql.publishers.audit;

import io.hostql.os.Libc;
import io.hostql.events.Clock;
import io.hostql.events.Event;
import io.hostql.events.EventSink;
import io.hostql.events.LossEvent;
import io.hostql.publishers.ReaderThread;
import io.hostql.publishers.audit.AuditSocket.AuditException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit publisher: process_events, socket_events and user_events from the kernel's audit
 * subsystem over NETLINK_AUDIT, spoken directly (no libaudit). Its thread ({@code hostql-audit})
 * only drains the socket into the journal: it frames each record (type, serial, and the arch, syscall
 * and pid a byte scan finds, to drop what hostql does not report), groups a syscall's records by serial
 * ({@link RawGroups}, bounded) and appends them raw ({@link io.hostql.events.AuditRecordsEvent}). The
 * subscribers parse them ({@link AuditDecoder}); under a flood the journal holds the backlog, not the heap.
 *
 * <p>Modes: <b>owner</b> registers as the audit daemon (the one unicast reader), sets the backlog and
 * installs hostql's rules; <b>coexist</b> reads the read-only multicast group next to another audit
 * daemon (auditd) and installs rules only when {@code audit_allow_config} is set; <b>auto</b> is
 * coexist when another live process owns audit, owner otherwise. Every change to the kernel's settings
 * is recorded before it is made and undone on {@link #close()} (see {@link AuditControl}).
 *
 * <p>Losses become {@link LossEvent}s: rises of the kernel's {@code lost} counter (polled every second),
 * serials that never arrived, receive-buffer overflows (ENOBUFS, coexist), and events whose end record
 * never came.
 */
public final class AuditPublisher extends ReaderThread {
    private static final Logger log = LoggerFactory.getLogger(AuditPublisher.class);

    static final String SOURCE = "audit";
    static final String THREAD_NAME = "hostql-audit";
    private static final int READLOG_GROUP = 1;
    private static final int RECEIVE_BUFFER = 64 << 20;
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long STATUS_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long GROUP_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(3);
    private static final long GAP_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int MAX_OPEN_GROUPS = 50_000;
    private static final int DRAIN_BATCH = 4096;
    /**
     * After reading a little, let more arrive before the next poll: the kernel sends each record of an
     * exec (SYSCALL, EXECVE, CWD, PATH..., PROCTITLE, EOE) as its own datagram, and a wake-up per
     * datagram was most of this thread's CPU (a wake-up costs about 0.2 ms of CPU on the benchmark VM,
     * whatever it reads), and at 100 execs/s a wake-up every 50 ms still was (issue 15). The receive buffer
     * holds far more than this delay brings; with the subscribers' linger (Subscriber.LINGER_NANOS) an exec
     * is a row within about 0.3 s.
     */
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /**
     * At close, the socket is read (and journaled) until it is empty, for at most this long: within the thread's
     * {@link #CLOSE_WAIT_MILLIS}, and a storm may keep it from ever being empty while the rules are in place.
     */
    private static final long CLOSE_DRAIN_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Then, with the rules removed, what the socket still holds is read without journaling for at most this long, and counted. */
    private static final long LEFT_COUNT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long CLOSE_WAIT_MILLIS = 2000;
    private static final int NLMSG_ERROR = 2, AUDIT_REPLACE = 1329;

    public enum Mode {
        OWNER, COEXIST, AUTO;

        public static Mode parse(String s) {
            try {
                return valueOf(s.strip().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("audit_mode must be owner, coexist or auto, not '" + s + "'");
            }
        }
    }

    /**
     * What to capture and how: osquery's flag names where they exist ({@code audit_allow_config},
     * {@code audit_allow_process_events}, {@code audit_allow_sockets}, {@code audit_allow_accept_socket_events},
     * {@code audit_allow_user_events}, {@code audit_backlog_limit}, {@code audit_backlog_wait_time}); hostql's
     * {@code audit_backlog_limit_max} (0: off) and {@code audit_reader_priority_boost} (0: off).
     */
    public record Config(Mode mode, boolean allowConfig, boolean processEvents, boolean sockets, boolean acceptSockets,
            boolean userEvents, int backlogLimit, int backlogWaitTime, Path stateDir, SecurityRecords security, SyscallGroups groups,
            int backlogLimitMax, int readerPriorityBoost) {
        public Config {
            Objects.requireNonNull(security, "security");
            Objects.requireNonNull(groups, "groups");
            if (backlogLimitMax < 0) throw new IllegalArgumentException("audit_backlog_limit_max must be 0 (off) or more, not " + backlogLimitMax);
            if (readerPriorityBoost < 0) throw new IllegalArgumentException("audit_reader_priority_boost must be 0 (off) or more, not " + readerPriorityBoost);
        }

        /** No fork, kill or file syscalls; the backlog limit is never raised (audit_backlog_limit_max=0); the reader keeps its nice value. */
        public Config(Mode mode, boolean allowConfig, boolean processEvents, boolean sockets, boolean acceptSockets,
                boolean userEvents, int backlogLimit, int backlogWaitTime, Path stateDir, SecurityRecords security) {
            this(mode, allowConfig, processEvents, sockets, acceptSockets, userEvents, backlogLimit, backlogWaitTime, stateDir, security, SyscallGroups.NONE, 0, 0);
        }

        /** No fork, kill or file syscalls; the reader keeps its nice value. */
        public Config(Mode mode, boolean allowConfig, boolean processEvents, boolean sockets, boolean acceptSockets,
                boolean userEvents, int backlogLimit, int backlogWaitTime, Path stateDir, SecurityRecords security, int backlogLimitMax) {
            this(mode, allowConfig, processEvents, sockets, acceptSockets, userEvents, backlogLimit, backlogWaitTime, stateDir, security, SyscallGroups.NONE,
                    backlogLimitMax, 0);
        }

        /** The backlog limit is never raised (audit_backlog_limit_max=0); the reader keeps its nice value. */
        public Config(Mode mode, boolean allowConfig, boolean processEvents, boolean sockets, boolean acceptSockets,
                boolean userEvents, int backlogLimit, int backlogWaitTime, Path stateDir, SecurityRecords security, SyscallGroups groups) {
            this(mode, allowConfig, processEvents, sockets, acceptSockets, userEvents, backlogLimit, backlogWaitTime, stateDir, security, groups, 0, 0);
        }

        /** No seccomp, SELinux or AppArmor records. */
        public Config(Mode mode, boolean allowConfig, boolean processEvents, boolean sockets, boolean acceptSockets,
                boolean userEvents, int backlogLimit, int backlogWaitTime, Path stateDir) {
            this(mode, allowConfig, processEvents, sockets, acceptSockets, userEvents, backlogLimit, backlogWaitTime, stateDir, SecurityRecords.NONE);
        }
    }

    public Config config() {
        return config;
    }

    /** Counters for the status log and hostql_audit_status: cumulative since start. */
    public record Stats(String mode, int ownerPid, int enabled, int backlogLimit, int backlogWaitTime, int backlog,
            long kernelLostAtStart, long kernelLost, long records, long processEvents, long socketEvents, long userEvents,
            long incomplete, long serialGapEvents, long enobufs, long ignoredOwn, long malformed, int receiveBuffer) {}

    private final Config config;
    private final int self = (int) ProcessHandle.current().pid();
    private final Set<String> wanted = new HashSet<>();

    private AuditSocket control;
    private AuditSocket events;
    private AuditControl settings;
    private Mode effective;
    /** The record being framed: the largest the kernel sends is 8970 bytes (one recvmmsg slot). */
    private final byte[] text = new byte[AuditSocket.SLOT];
    private final SerialGaps gaps = new SerialGaps(GAP_GRACE_NANOS);
    private final RecordRouter router;
    private final RawGroups groups;
    private BacklogGovernor backlog;
    private final LossEstimator lossEstimator;

    private final AtomicLong incomplete = new AtomicLong(), enobufs = new AtomicLong();
    private volatile AuditStatus lastStatus;
    private long lostAtStart;
    private long lostReported;
    private long enobufsReported;
    private int receiveBuffer;
    /** The time of the next tick and status poll, on the thread. */
    private long nextTick, nextStatus;
    /** How long the close drains the socket into the journal (tests: 0 leaves it all to be counted lost). */
    long closeDrainNanos = CLOSE_DRAIN_NANOS;

    public AuditPublisher(Config config, EventSink sink) {
        super(new Options(SOURCE, THREAD_NAME, 4L << 20, CLOSE_WAIT_MILLIS, false, "process, socket and user events", 60), log, sink);
        this.config = Objects.requireNonNull(config, "config");
        this.lossEstimator = new LossEstimator(LossEstimator.events(config.processEvents, config.sockets, config.userEvents));
        for (Syscalls.Arch a : Syscalls.forThisMachine()) {
            if (config.processEvents) wanted.addAll(a.exec().keySet());
            if (config.groups.forks() || config.groups.files()) wanted.addAll(a.fork().keySet());
            if (config.groups.kills()) wanted.addAll(a.kill().keySet());
            if (config.groups.files()) wanted.addAll(a.fim().keySet());
            if (config.sockets) {
                wanted.add("bind");
                wanted.add("connect");
                if (config.acceptSockets) {
                    wanted.add("accept");
                    wanted.add("accept4");
                }
            }
        }
        router = new RecordRouter(config, wanted, self, gaps, this::append, GROUP_TIMEOUT_NANOS, MAX_OPEN_GROUPS);
        groups = router.groups;
    }

    /**
     * Restores what a previous hostqld left changed, chooses the mode, configures the kernel and starts
     * reading. Throws (having changed nothing, or having put it back) when audit cannot be used.
     */
    @Override
    public void start() throws IOException {
        synchronized (lock) {
            checkStartable();
            control = AuditSocket.open(0);
            try {
                settings = new AuditControl(config.stateDir, control, self);
                settings.restoreLeftover();
                AuditStatus st = control.status();
                int other = settings.otherOwner(st);
                effective = config.mode == Mode.AUTO ? (other != 0 ? Mode.COEXIST : Mode.OWNER) : config.mode;
                if (effective == Mode.OWNER && other != 0) {
                    throw new IllegalStateException("audit is owned by pid " + other + " (" + AuditControl.comm(other)
                            + "); audit_mode=owner cannot take it over while it runs: use audit_mode=auto or coexist");
                }
                events = AuditSocket.open(effective == Mode.COEXIST ? READLOG_GROUP : 0);
                receiveBuffer = events.receiveBuffer(RECEIVE_BUFFER);
                lostAtStart = st.lost();
                lostReported = st.lost();
                List<AuditRule> rules = rules();
                if (effective == Mode.OWNER) {
                    settings.applyOwner(st, rules, config.backlogLimit, config.backlogWaitTime, events, this::datagram);
                } else if (config.allowConfig) {
                    settings.applyCoexist(st, rules);
                }
                lastStatus = control.status();
                backlog = BacklogGovernor.start(config.backlogLimitMax, effective, lastStatus, settings::setBacklogLimit);
                openWakeup();
            } catch (RuntimeException | IOException e) {
                undo();
                throw e;
            }
            log.info("audit: {} mode{}, {}; rules for {}; receive buffer {} MiB", effective.name().toLowerCase(java.util.Locale.ROOT),
                    effective == Mode.COEXIST ? " next to pid " + settings.otherOwner(lastStatus) + " (" + AuditControl.comm(lastStatus.pid()) + ")" : "",
                    lastStatus.describe(), effective == Mode.COEXIST && !config.allowConfig ? "none installed (audit_allow_config=false)" : new java.util.TreeSet<>(wanted),
                    receiveBuffer >> 20);
        }
        startThread();
    }

    /** hostql's rules: the syscalls wanted (exec, socket, fork, kill, file) on each of this machine's architectures, never for hostqld itself. */
    List<AuditRule> rules() {
        List<AuditRule> out = new ArrayList<>();
        for (Syscalls.Arch a : Syscalls.forThisMachine()) {
            List<Integer> nrs = new ArrayList<>();
            a.all().forEach((n, nr) -> {
                if (wanted.contains(n)) nrs.add(nr);
            });
            if (!nrs.isEmpty()) out.add(AuditRule.syscalls(a.audit(), nrs.stream().sorted().toList(), self));
        }
        return out;
    }

    public Mode mode() {
        return effective;
    }

    public Stats stats() {
        AuditStatus s = lastStatus;
        boolean stopped = isClosed();
        return new Stats(effective == null || stopped ? "stopped" : effective.name().toLowerCase(java.util.Locale.ROOT), s == null ? 0 : s.pid(),
                s == null ? 0 : s.enabled(), s == null ? 0 : s.backlogLimit(), s == null ? 0 : s.backlogWaitTime(), s == null ? 0 : s.backlog(),
                lostAtStart, s == null ? 0 : s.lost() - lostAtStart, router.records.get(), router.processEvents.get(),
                router.socketEvents.get(), router.userEvents.get(), incomplete.get(), gaps.lost(), enobufs.get(), router.ignoredOwn.get(),
                router.malformed.get(), receiveBuffer);
    }

    /** After close() stopped the thread (which published what was still being assembled): puts the kernel's audit settings back. */
    @Override
    protected void closed() {
        synchronized (lock) {
            undo();
        }
    }

    private void undo() {
        if (settings != null) {
            try {
                settings.restore();
            } catch (RuntimeException e) {
                log.error("audit: restoring the kernel audit settings failed: {}", e.toString());
            }
        }
        // The thread has drained what it could; the rules are gone, so the socket holds a known remainder. Not if the thread is
        // still running (it did not stop in time): the socket is its own then.
        if (events != null && effective != null && !isRunning()) countLeftUnread();
        if (events != null) events.close();
        if (control != null) control.close();
        closeWakeup();
    }

    // ---------------------------------------------------------------------------------------------
    // The thread

    @Override
    protected void starting() {
        boostPriority();
        nextTick = System.nanoTime() + TICK_NANOS;
        nextStatus = System.nanoTime() + STATUS_NANOS;
    }

    /**
     * Lowers this thread's nice value by {@code audit_reader_priority_boost}, as auditd's priority_boost does (relative to what it
     * inherited, at most to -20): under a storm the reader, the audited programs and kauditd share the CPUs, and what the reader
     * does not take in time the kernel drops. Only this thread: the subscribers, which parse what it journaled, keep theirs.
     */
    private void boostPriority() {
        int boost = config.readerPriorityBoost();
        if (boost == 0) return;
        int tid = Libc.gettid();
        int inherited = Libc.getpriority(Libc.PRIO_PROCESS, tid);
        int nice = Math.max(-20, inherited - boost);
        if (Libc.setpriority(Libc.PRIO_PROCESS, tid, nice) != 0) {
            log.warn("audit: the reader thread stays at nice {}: raising it by audit_reader_priority_boost={} needs CAP_SYS_NICE ({});"
                    + " under a storm the kernel may drop more records", inherited, boost, Libc.errorText(com.sun.jna.Native.getLastError()));
        } else {
            log.info("audit: reader thread {} at nice {} (audit_reader_priority_boost={})", THREAD_NAME, nice, boost);
        }
    }

    @Override
    protected int sourceFd() {
        return events.fd;
    }

    @Override
    protected void pollFailed(int errno) {
        errors.error("audit: poll failed: " + Libc.errorText(errno));
    }

    @Override
    protected void polled(boolean readable) {
        if (readable) {
            int read = drain();
            if (read > 0 && read < DRAIN_BATCH && !closing) java.util.concurrent.locks.LockSupport.parkNanos(LINGER_NANOS);
        }
        long now = System.nanoTime();
        if (now >= nextTick) {
            nextTick = now + TICK_NANOS;
            tick(now);
        }
        if (now >= nextStatus) {
            nextStatus = now + STATUS_NANOS;
            pollStatus();
        }
    }

    /**
     * What is still queued (until the socket is empty, bounded by {@link #closeDrainNanos}) and being assembled is published
     * before the kernel's settings are put back; what is left then is counted in {@link #countLeftUnread}.
     */
    @Override
    protected void stopping() {
        for (long deadline = System.nanoTime() + closeDrainNanos; System.nanoTime() - deadline < 0; ) {
            if (drain() < DRAIN_BATCH) break;
        }
        incomplete.addAndGet(groups.flush());
        long now = System.nanoTime();
        pollStatus();
        tick(now);
    }

    /** Reads what is waiting (bounded, so the timers still run under a flood); returns how many datagrams. */
    private int drain() {
        int total = 0;
        while (total < DRAIN_BATCH) {
            int n = events.receiveMany();
            if (n == 0) return total;
            if (n < 0) {
                if (-n == Libc.ENOBUFS) {
                    enobufs.incrementAndGet();
                    continue;
                }
                errors.error("audit: receive failed: " + Libc.errorText(-n));
                return total;
            }
            ByteBuffer slots = events.slots();
            for (int i = 0; i < n; i++) datagram(slots, i * AuditSocket.SLOT, events.slotLength(i));
            total += n;
            if (n < AuditSocket.SLOTS) return total; // the queue was empty when the kernel stopped copying
        }
        return total;
    }

    /**
     * After close: the records the socket still holds are read (not journaled, for at most {@link #LEFT_COUNT_NANOS}) and
     * counted by event ({@link #wouldPublish}), and become one loss record. Without it they went with the socket, uncounted.
     */
    private void countLeftUnread() {
        long deadline = System.nanoTime() + LEFT_COUNT_NANOS;
        long lost = 0, records = 0;
        boolean more = false;
        while (true) {
            if (System.nanoTime() - deadline >= 0) {
                more = true;
                break;
            }
            int n = events.receiveMany();
            if (n == 0) break;
            if (n < 0) {
                if (-n == Libc.ENOBUFS) continue;
                break;
            }
            ByteBuffer slots = events.slots();
            for (int i = 0; i < n; i++) {
                int at = i * AuditSocket.SLOT;
                int len = frame(slots, at, events.slotLength(i));
                if (len < 0) continue;
                records++;
                if (wouldPublish(slots.getShort(at + 4) & 0xffff, len)) lost++;
            }
        }
        if (lost == 0) return;
        log.warn("audit: {} events ({} records) were still queued at close and are lost{}", lost, records, more ? ", and more arrived" : "");
        append(new LossEvent(Clock.nowNanos(), SOURCE, lost, (more ? "at least " : "") + lost + " audit events (" + records
                + " records) were still queued in the socket at close, after " + closeDrainNanos / 1_000_000 + " ms of draining, and were not read"));
    }

    /**
     * Whether the record in {@link #text} starts an event hostql would publish: a SYSCALL record of a wanted syscall (one per
     * event), or a user or security record when those are captured (each its own event). Not the kernel's note of a rule change.
     */
    private boolean wouldPublish(int type, int len) {
        if (type == EventBuilder.SYSCALL) {
            String name = RecordFraming.syscallName(text, 0, len);
            return name != null && wanted.contains(name);
        }
        if (SecurityRecords.isSecurityType(type)) return config.security() != SecurityRecords.NONE;
        return type >= EventBuilder.FIRST_USER && type <= EventBuilder.LAST_USER && config.userEvents();
    }

    /** One datagram in the event socket's buffer (during registration). */
    private void datagram(int n) {
        datagram(events.view(), 0, n);
    }

    /** One datagram of n bytes at {@code buf[at]}: a record, or a reply to our own pid registration. */
    private void datagram(ByteBuffer buf, int at, int n) {
        if (n >= AuditSocket.HEADER && (buf.getShort(at + 4) & 0xffff) == NLMSG_ERROR) {
            int err = -buf.getInt(at + AuditSocket.HEADER);
            if (err != 0) errors.error("audit: the kernel refused a request: " + Libc.errorText(err));
            return;
        }
        int len = frame(buf, at, n);
        if (len >= 0) router.record(buf.getShort(at + 4) & 0xffff, text, len);
    }

    /** An audit record's text copied into {@link #text}: its length, or -1 when the datagram is no record hostql reads. */
    private int frame(ByteBuffer buf, int at, int n) {
        if (n < AuditSocket.HEADER) return -1;
        int type = buf.getShort(at + 4) & 0xffff;
        if (type < EventBuilder.FIRST_USER || type >= 2100 || type == AUDIT_REPLACE) return -1;
        int len = Math.min(n - AuditSocket.HEADER, text.length);
        buf.get(at + AuditSocket.HEADER, text, 0, len);
        return len;
    }

    /** One audit record (tests): its type and its text as the kernel sent it. */
    void record(int type, byte[] text) {
        router.record(type, text, text.length);
    }

    private void tick(long now) {
        int timedOut = groups.expire(now) + groups.takeEvicted();
        if (timedOut > 0) {
            incomplete.addAndGet(timedOut);
            append(new LossEvent(Clock.nowNanos(), SOURCE, timedOut, timedOut + " audit events incomplete: their end record (EOE) did not"
                    + " arrive within 3 s (or " + MAX_OPEN_GROUPS + " events were open); published with the records that did"));
        }
        long[] range = new long[2];
        long gap = gaps.expire(now, range);
        if (gap > 0) {
            append(new LossEvent(Clock.nowNanos(), SOURCE, gap, gap + " audit events never arrived (serial gap, between serials "
                    + range[0] + " and " + range[1] + ")"));
        }
        long nb = enobufs.get();
        if (nb > enobufsReported) {
            long d = nb - enobufsReported;
            enobufsReported = nb;
            if (effective == Mode.COEXIST) {
                append(new LossEvent(Clock.nowNanos(), SOURCE, -1, "the audit multicast socket overflowed " + d
                        + " times (ENOBUFS): the kernel dropped records for hostql; serial gaps give the count"));
            } else {
                log.debug("audit: receive buffer full {} times; the kernel retries unicast delivery", d);
            }
        }
    }

    private void pollStatus() {
        AuditStatus s;
        try {
            s = control.status();
        } catch (AuditException e) {
            errors.error("audit: status request failed: " + e.getMessage());
            return;
        }
        lastStatus = s;
        if (s.lost() > lostReported) {
            long d = s.lost() - lostReported;
            append(lossEstimator.kernelLost(Clock.nowNanos(), SOURCE, d, router.records.get(), gaps.arrived(), s,
                    "the kernel's audit 'lost' counter rose from " + lostReported + " to " + s.lost()
                    + ": records dropped in the kernel (backlog " + s.backlog() + ", backlog_limit " + s.backlogLimit() + ", backlog_wait_time "
                    + s.backlogWaitTime() + ")"));
            backlog.lost(d, s);
            lostReported = s.lost();
        } else if (s.lost() < lostReported) {
            lostReported = s.lost(); // the counter wrapped or was reset
        }
        if (effective == Mode.OWNER && s.pid() != self) {
            if (s.pid() == 0 || !AuditControl.alive(s.pid())) {
                log.warn("audit: hostqld is no longer the registered audit daemon (pid {}); registering again", s.pid());
                try {
                    events.send(AuditSocket.AUDIT_SET, AuditSocket.NLM_F_ACK, AuditStatus.set(AuditStatus.PID, 0, 0, self, 0, 0));
                } catch (AuditException e) {
                    errors.error("audit: registering again failed: " + e.getMessage());
                }
            } else {
                errors.error("audit: pid " + s.pid() + " (" + AuditControl.comm(s.pid()) + ") took over audit; hostql receives nothing until it stops");
            }
        }
    }

    private void append(Event e) {
        safeSink.append(e);
    }


}
