package io.hostql.subscribers.audit;

import io.hostql.os.proc.ProcFs;
import io.hostql.evented.EventStore;
import io.hostql.evented.EventedTables;
import io.hostql.evented.Row;
import io.hostql.events.AuditRecordsEvent;
import io.hostql.events.Event;
import io.hostql.events.EventType;
import io.hostql.events.Journal;
import io.hostql.events.JournalEntry;
import io.hostql.events.ProcessEvent;
import io.hostql.publishers.audit.AuditDecoder;
import io.hostql.subscribers.Subscriber;
import io.hostql.subscribers.fim.NativeFiles;
import java.util.Set;

/**
 * process_events: each successful execve/execveat, with osquery's columns filled as osquery fills them
 * (ids from SYSCALL, mode and owner from the first PATH record, atime/mtime/ctime from a stat of the
 * executable now), then the parent's path and command line from the process tree, the cgroup and
 * container id (the process's own when it is still running, else its parent's, which it inherited at
 * fork), the kernel's event time and the audit serial. Failed execs are not rows: no program ran.
 */
public final class ProcessEventsSubscriber extends Subscriber {
    public static final String NAME = "process_events";
    private static final int TREE_CAPACITY = 65_536;

    private static final Row.Layout PROCESS = Row.layout(EventedTables.PROCESS_EVENTS);
    private static final Row.Text PATH = PROCESS.text("path"), MODE = PROCESS.text("mode"), CMDLINE = PROCESS.text("cmdline"),
            ENV = PROCESS.text("env"), CWD = PROCESS.text("cwd"), OVERFLOWS = PROCESS.text("overflows"), SYSCALL = PROCESS.text("syscall"),
            PARENT_PATH = PROCESS.text("parent_path"), PARENT_CMDLINE = PROCESS.text("parent_cmdline"),
            CGROUP_PATH = PROCESS.text("cgroup_path"), CONTAINER_ID = PROCESS.text("container_id");
    private static final Row.Int PID = PROCESS.integer("pid"), CMDLINE_SIZE = PROCESS.integer("cmdline_size"),
            ENV_COUNT = PROCESS.integer("env_count"), ENV_SIZE = PROCESS.integer("env_size"), AUID = PROCESS.integer("auid"),
            UID = PROCESS.integer("uid"), EUID = PROCESS.integer("euid"), GID = PROCESS.integer("gid"), EGID = PROCESS.integer("egid"),
            OWNER_UID = PROCESS.integer("owner_uid"), OWNER_GID = PROCESS.integer("owner_gid"), ATIME = PROCESS.integer("atime"),
            MTIME = PROCESS.integer("mtime"), CTIME = PROCESS.integer("ctime"), BTIME = PROCESS.integer("btime"),
            PARENT = PROCESS.integer("parent"), TIME = PROCESS.integer("time"), UPTIME = PROCESS.integer("uptime"),
            FSUID = PROCESS.integer("fsuid"), SUID = PROCESS.integer("suid"), FSGID = PROCESS.integer("fsgid"), SGID = PROCESS.integer("sgid"),
            EVENT_TIME_MS = PROCESS.integer("event_time_ms"), AUDIT_SERIAL = PROCESS.integer("audit_serial");

    private final Cgroups cgroups = new Cgroups();
    private final ProcessTree tree = new ProcessTree(TREE_CAPACITY, cgroups);
    private final long bootTime = ProcFs.bootTime();
    private boolean seeded;

    private final boolean forks, kills;
    /**
     * The executables' lstat within one batch: a batch is read within one linger, so a program run many times in it
     * (a script's loop, a build) is stat'ed once per batch, not once per exec.
     */
    private final java.util.Map<java.nio.ByteBuffer, java.util.Optional<NativeFiles.Stat>> exeStats = new java.util.HashMap<>();

    @Override
    protected void batchStarted() {
        exeStats.clear();
    }

    private NativeFiles.Stat exeStat(byte[] exe) {
        if (exe == null) return null;
        return exeStats.computeIfAbsent(java.nio.ByteBuffer.wrap(exe), k -> java.util.Optional.ofNullable(NativeFiles.lstat(exe))).orElse(null);
    }

    /** A mode's text ("0100755"): consecutive execs mostly run executables of one mode. */
    private final LastText modeText = new LastText(mode -> mode < 0 ? "" : "0" + Long.toOctalString(mode));

    /** Exec rows only. */
    public ProcessEventsSubscriber(Journal journal, EventStore store) {
        this(journal, store, false, false);
    }

    /** forks, kills: also rows for fork, vfork and clone, and for kill, tkill and tgkill (osquery's audit_allow_fork/kill_process_events). */
    public ProcessEventsSubscriber(Journal journal, EventStore store, boolean forks, boolean kills) {
        super(NAME, journal, store);
        this.forks = forks;
        this.kills = kills;
    }

    /**
     * A fork's or a kill's row, as osquery fills it: the caller's ids and executable (stat'ed now), no command line;
     * a fork's pid is the child's and its parent the caller (the caller's parent for a clone with CLONE_PARENT); a
     * kill's pid and parent are the sender's. Null when its flag is off (forks are also audited for process_file_events).
     */
    private Row forkOrKill(ProcessEvent e) {
        boolean fork = e.syscall().equals("fork") || e.syscall().equals("vfork") || e.syscall().equals("clone");
        if (fork ? !forks : !kills) return null;
        int pid = fork ? (int) e.exit() : e.pid();
        int parent = !fork ? e.ppid() : (e.flags() & ProcessEvent.CLONE_PARENT) != 0 ? e.ppid() : e.pid();
        NativeFiles.Stat st = exeStat(e.exe());
        return row(e, new byte[0], st, null, null, cgroups.of(pid)).set(PID, pid).set(PARENT, parent);
    }

    @Override
    protected Set<EventType> types() {
        return Set.of(EventType.PROCESS, EventType.AUDIT_RECORDS);
    }

    @Override
    protected void handle(JournalEntry entry, Rows out) {
        if (entry.event() instanceof AuditRecordsEvent raw) {
            String call = AuditDecoder.syscallName(raw);
            if (AuditDecoder.isSocketCall(call) || AuditDecoder.isFileCall(call)) return; // socket_events and process_file_events parse those
        }
        Event event = entry.event() instanceof AuditRecordsEvent raw ? AuditDecoder.syscall(raw) : entry.event();
        if (!(event instanceof ProcessEvent e)) return;
        if (!seeded) {
            tree.seedFromProc();
            seeded = true;
        }
        if (!e.success()) return;
        if (!e.syscall().startsWith("exec")) {
            Row r = forkOrKill(e);
            if (r != null) out.add(r);
            return;
        }
        byte[] cmdline = e.cmdline();
        String cgroup = cgroups.of(e.pid());
        ProcessTree.Node parent = tree.get(e.ppid());
        if (cgroup == null && parent != null) cgroup = parent.cgroup();
        tree.exec(e.pid(), e.ppid(), e.exe(), cmdline, cgroup);
        NativeFiles.Stat st = exeStat(e.exe());
        Row row = row(e, cmdline, st, parent == null ? null : parent.path(), parent == null ? null : parent.cmdline(), cgroup);
        // the reader cut the exec's later arguments to fit one journal record: osquery's column for "structures that overflowed"
        if (entry.event() instanceof AuditRecordsEvent raw && raw.truncated()) row.set(OVERFLOWS, "cmdline");
        out.add(row);
    }

    /**
     * The row for a successful exec, given what handle found: the executable's lstat now (null: gone), the parent's
     * path and command line from the tree, and the cgroup. (Public for the row-building benchmark.)
     */
    public Row row(ProcessEvent e, byte[] cmdline, NativeFiles.Stat st, byte[] parentPath, byte[] parentCmdline, String cgroup) {
        long seconds = e.kernelMillis() / 1000;
        return PROCESS.row().set(PID, e.pid()).set(PATH, e.exe()).set(MODE, modeText.of(e.mode()))
                .set(CMDLINE, cmdline).set(CMDLINE_SIZE, cmdline.length).set(ENV, "").set(ENV_COUNT, 0).set(ENV_SIZE, 0).set(CWD, e.cwd())
                .set(AUID, e.auid()).set(UID, e.uid()).set(EUID, e.euid()).set(GID, e.gid()).set(EGID, e.egid())
                .set(OWNER_UID, Math.max(0, e.ouid())).set(OWNER_GID, Math.max(0, e.ogid()))
                .set(ATIME, st == null ? 0 : st.atime()).set(MTIME, st == null ? 0 : st.mtime()).set(CTIME, st == null ? 0 : st.ctime())
                .set(BTIME, 0).set(OVERFLOWS, "").set(PARENT, e.ppid()).set(TIME, e.captureNanos() / 1_000_000_000L)
                .set(UPTIME, bootTime > 0 ? Math.max(0, seconds - bootTime) : null)
                .set(FSUID, e.fsuid()).set(SUID, e.suid()).set(FSGID, e.fsgid()).set(SGID, e.sgid()).set(SYSCALL, e.syscall())
                .set(PARENT_PATH, parentPath).set(PARENT_CMDLINE, parentCmdline)
                .set(CGROUP_PATH, cgroup).set(CONTAINER_ID, cgroups.containerId(cgroup))
                .set(EVENT_TIME_MS, e.kernelMillis()).set(AUDIT_SERIAL, e.serial());
    }
}
