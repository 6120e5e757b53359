package io.hostql.subscribers.audit;

import com.sun.jna.Native;
import io.hostql.os.Libc;
import io.hostql.os.proc.ProcFs;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Processes' cgroups and container ids, for one subscriber thread. A host runs its processes in a few cgroups, so
 * /proc/pid/cgroup is parsed (split per hierarchy, matched for a container id) once per distinct content, and a
 * cgroup's container id is found once: a process moved to another cgroup has another content, and is parsed anew.
 * Bounded: a cache that outgrows its bound starts over.
 */
final class Cgroups {
    private static final int BOUND = 1024;

    private final Map<ByteBuffer, String> byContent = new HashMap<>();
    private final Map<String, Optional<String>> containerIds = new HashMap<>();

    /**
     * The process's cgroup now (as {@link ProcFs#cgroup}), null when it is gone. Most exec'd programs have exited by the
     * time their event is handled, and a failed open of /proc/pid/cgroup walks the path to a slow lookup in procfs; kill(pid, 0)
     * finds a gone pid for a fraction of that.
     */
    String of(int pid) {
        if (pid <= 0 || Libc.kill(pid, 0) != 0 && Native.getLastError() != Libc.EPERM) return null;
        byte[] content = ProcFs.cgroupFile(pid);
        if (content == null) return null;
        ByteBuffer key = ByteBuffer.wrap(content);
        String cgroup = byContent.get(key);
        if (cgroup == null) {
            if (byContent.size() >= BOUND) byContent.clear();
            cgroup = ProcFs.cgroupIn(content);
            if (cgroup != null) byContent.put(key, cgroup);
        }
        return cgroup;
    }

    /** The container id in a cgroup path (as {@link ProcFs#containerId}), or null. */
    String containerId(String cgroup) {
        if (cgroup == null) return null;
        Optional<String> id = containerIds.get(cgroup);
        if (id == null) {
            if (containerIds.size() >= BOUND) containerIds.clear();
            id = Optional.ofNullable(ProcFs.containerId(cgroup));
            containerIds.put(cgroup, id);
        }
        return id.orElse(null);
    }
}
