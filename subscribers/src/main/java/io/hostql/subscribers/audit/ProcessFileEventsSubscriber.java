package io.hostql.subscribers.audit;

import io.hostql.evented.EventStore;
import io.hostql.evented.EventedTables;
import io.hostql.evented.Row;
import io.hostql.events.AuditRecordsEvent;
import io.hostql.events.Event;
import io.hostql.events.EventType;
import io.hostql.events.FileSyscallEvent;
import io.hostql.events.Journal;
import io.hostql.events.JournalEntry;
import io.hostql.events.ProcessEvent;
import io.hostql.os.proc.ProcFs;
import io.hostql.publishers.audit.AuditDecoder;
import io.hostql.subscribers.Subscriber;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * process_file_events (osquery's audit FIM): the file syscalls of every process, followed through their file
 * descriptors ({@link FileActivity}), as rows for the paths under the config's {@code file_paths} (and not its
 * {@code exclude_paths}): path or dest_path must match. As osquery, only writes, truncating opens, renames,
 * links, symlinks and unlinks are rows unless {@code audit_fim_show_accesses} (then opens, first reads and
 * closes too), and partial events (a rename of a file never seen before, an event whose end record never came)
 * only with {@code audit_show_partial_fim_events}. Forks from the process events give children their
 * parent's descriptors.
 */
public final class ProcessFileEventsSubscriber extends Subscriber {
    public static final String NAME = "process_file_events";

    /** osquery's hidden flags: audit_fim_show_accesses, audit_show_partial_fim_events, audit_fim_debug. */
    public record Options(boolean showAccesses, boolean showPartial, boolean debug) {}

    private static final Row.Layout FILES = Row.layout(EventedTables.PROCESS_FILE_EVENTS);
    private static final Row.Text OPERATION = FILES.text("operation"), EXECUTABLE = FILES.text("executable"), PARTIAL = FILES.text("partial"),
            CWD = FILES.text("cwd"), PATH = FILES.text("path"), DEST_PATH = FILES.text("dest_path"), UID = FILES.text("uid"),
            GID = FILES.text("gid"), AUID = FILES.text("auid"), EUID = FILES.text("euid"), EGID = FILES.text("egid"),
            FSUID = FILES.text("fsuid"), FSGID = FILES.text("fsgid"), SUID = FILES.text("suid"), SGID = FILES.text("sgid"),
            SYSCALL = FILES.text("syscall");
    private static final Row.Int PID = FILES.integer("pid"), PPID = FILES.integer("ppid"), TIME = FILES.integer("time"),
            UPTIME = FILES.integer("uptime"), EVENT_TIME_MS = FILES.integer("event_time_ms"), AUDIT_SERIAL = FILES.integer("audit_serial");

    private static final Set<String> FORKS = Set.of("fork", "vfork", "clone");

    private final FileActivity activity = new FileActivity();
    private final long bootTime = ProcFs.bootTime();
    private volatile Predicate<byte[]> paths;
    private volatile Options options;

    /** paths: is an absolute path under file_paths and outside exclude_paths? */
    public ProcessFileEventsSubscriber(Journal journal, EventStore store, Predicate<byte[]> paths, Options options) {
        super(NAME, journal, store);
        configure(paths, options);
    }

    /** SIGHUP: new file_paths and flags apply from the next event. */
    public void configure(Predicate<byte[]> paths, Options options) {
        this.paths = Objects.requireNonNull(paths, "paths");
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    protected Set<EventType> types() {
        return Set.of(EventType.FILE_SYSCALL, EventType.PROCESS, EventType.AUDIT_RECORDS);
    }

    @Override
    protected void handle(JournalEntry entry, Rows out) {
        Event event = entry.event();
        if (event instanceof AuditRecordsEvent raw) {
            // Only file calls and forks (which copy descriptors) are this table's: the others pass by a byte scan.
            String call = AuditDecoder.syscallName(raw);
            if (!AuditDecoder.isFileCall(call) && !FORKS.contains(call)) return;
            event = AuditDecoder.syscall(raw);
        }
        if (event instanceof ProcessEvent p) {
            if (p.success() && FORKS.contains(p.syscall())) {
                activity.fork(p.pid(), (int) p.exit());
            }
            return;
        }
        if (!(event instanceof FileSyscallEvent e) || !e.success()) return;
        FileActivity.Activity a = activity.apply(e);
        Options o = options;
        if (o.debug) log.debug("process_file_events: {} -> {}", e, a);
        Row row = a == null ? null : row(e, a, o, paths, bootTime);
        if (row != null) out.add(row);
    }

    /** The row for an activity, or null when the flags or the paths leave it out. bootTime: seconds since the epoch (0: unknown). */
    static Row row(FileSyscallEvent e, FileActivity.Activity a, Options o, Predicate<byte[]> paths, long bootTime) {
        if (a.partial() && !o.showPartial || !a.operation().write && !o.showAccesses) return null;
        if (!paths.test(a.path()) && (a.destPath() == null || !paths.test(a.destPath()))) return null;
        return FILES.row().set(OPERATION, a.operation().text).set(PID, e.pid()).set(PPID, e.ppid())
                .set(TIME, e.captureNanos() / 1_000_000_000L).set(EXECUTABLE, e.exe()).set(PARTIAL, a.partial() ? "true" : "false")
                .set(CWD, e.cwd() == null ? new byte[0] : e.cwd()).set(PATH, a.path()).set(DEST_PATH, a.destPath())
                .set(UID, id(e.uid())).set(GID, id(e.gid())).set(AUID, id(e.auid())).set(EUID, id(e.euid())).set(EGID, id(e.egid()))
                .set(FSUID, id(e.fsuid())).set(FSGID, id(e.fsgid())).set(SUID, id(e.suid())).set(SGID, id(e.sgid()))
                .set(UPTIME, bootTime > 0 ? Math.max(0, e.kernelMillis() / 1000 - bootTime) : null)
                .set(EVENT_TIME_MS, e.kernelMillis()).set(AUDIT_SERIAL, e.serial()).set(SYSCALL, e.syscall());
    }

    private static String id(long v) {
        return Long.toString(v);
    }
}
