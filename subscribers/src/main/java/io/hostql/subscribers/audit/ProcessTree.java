package io.hostql.subscribers.audit;

import io.hostql.os.proc.ProcFs;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who each process is (parent, executable, command line, cgroup), seeded from /proc and then kept from
 * the exec events, so a parent that has exited by the time its child's event is handled is still
 * known. Bounded: the least recently used entries go first. Owned by one subscriber thread.
 */
final class ProcessTree {
    record Node(int ppid, byte[] path, byte[] cmdline, String cgroup) {}

    private final int capacity;
    private final Cgroups cgroups;
    private final LinkedHashMap<Integer, Node> nodes;

    ProcessTree(int capacity, Cgroups cgroups) {
        this.capacity = capacity;
        this.cgroups = cgroups;
        this.nodes = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, Node> eldest) {
                return size() > ProcessTree.this.capacity;
            }
        };
    }

    /** Every process running now. */
    void seedFromProc() {
        for (long pid : ProcFs.allPids()) fromProc((int) pid); // none when /proc is unreadable: the tree fills from events only
    }

    /** A program was executed: from now on this pid is that program. */
    void exec(int pid, int ppid, byte[] path, byte[] cmdline, String cgroup) {
        nodes.put(pid, new Node(ppid, path, cmdline, cgroup));
    }

    /** What is known about a pid: from the events or the seed, else from /proc now (then remembered); null when unknown. */
    Node get(int pid) {
        if (pid <= 0) return null;
        Node n = nodes.get(pid);
        return n != null ? n : fromProc(pid);
    }

    private Node fromProc(int pid) {
        byte[] cmd = ProcFs.cmdline(pid);
        if (cmd == null) return null;
        Node n = new Node(ProcFs.ppid(pid), ProcFs.exe(pid), cmd, cgroups.of(pid));
        nodes.put(pid, n);
        return n;
    }

    int size() {
        return nodes.size();
    }
}
