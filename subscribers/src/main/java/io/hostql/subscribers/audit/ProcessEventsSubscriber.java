package io.hostql.subscribers.audit;

import io.hostql.evented.EventStore;
import io.hostql.evented.EventedTables;
import io.hostql.events.EventType;
import io.hostql.events.Journal;
import io.hostql.events.JournalEntry;
import io.hostql.events.ProcessEvent;
import io.hostql.os.proc.ProcFs;
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

    private final ProcessTree tree = new ProcessTree(TREE_CAPACITY);
    private final long bootTime = ProcFs.bootTime();
    private boolean seeded;

    public ProcessEventsSubscriber(Journal journal, EventStore store) {
        super(NAME, journal, store);
    }

    @Override
    protected Set<EventType> types() {
        return Set.of(EventType.PROCESS);
    }

    @Override
    protected void handle(JournalEntry entry, Rows out) {
        if (!(entry.event() instanceof ProcessEvent e)) return;
        if (!seeded) {
            tree.seedFromProc();
            seeded = true;
        }
        if (!e.success()) return;
        byte[] cmdline = e.cmdline();
        String cgroup = ProcFs.cgroup(e.pid());
        ProcessTree.Node parent = tree.get(e.ppid());
        if (cgroup == null && parent != null) cgroup = parent.cgroup();
        tree.exec(e.pid(), e.ppid(), e.exe(), cmdline, cgroup);
        NativeFiles.Stat st = e.exe() == null ? null : NativeFiles.lstat(e.exe());
        long seconds = e.kernelMillis() / 1000;
        out.add(EventedTables.PROCESS_EVENTS, new Object[] {(long) e.pid(), e.exe(), e.mode() < 0 ? "" : "0" + Integer.toOctalString(e.mode()),
                cmdline, (long) cmdline.length, "", 0L, 0L, e.cwd(), e.auid(), e.uid(), e.euid(), e.gid(), e.egid(),
                e.ouid() < 0 ? 0L : e.ouid(), e.ogid() < 0 ? 0L : e.ogid(), st == null ? 0L : st.atime(), st == null ? 0L : st.mtime(),
                st == null ? 0L : st.ctime(), 0L, "", (long) e.ppid(), e.captureNanos() / 1_000_000_000L,
                bootTime > 0 ? Math.max(0, seconds - bootTime) : null, null, e.fsuid(), e.suid(), e.fsgid(), e.sgid(), e.syscall(),
                parent == null ? null : parent.path(), parent == null ? null : parent.cmdline(), cgroup, ProcFs.containerId(cgroup),
                e.kernelMillis(), e.serial()});
    }
}
