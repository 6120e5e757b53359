package io.hostql.subscribers.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.os.proc.ProcFs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The cgroup cache against the kernel: the same answers as a fresh read, and a process moved to another cgroup is seen there. */
class CgroupsTest {
    @Test
    void aRunningProcessReadsAsProcFsReadsItAndAGoneOneAsNothing() {
        Cgroups cgroups = new Cgroups();
        int self = (int) ProcessHandle.current().pid();
        assertThat(cgroups.of(self)).isNotNull().isEqualTo(ProcFs.cgroup(self));
        assertThat(cgroups.of(self)).isEqualTo(ProcFs.cgroup(self)); // from the cache
        assertThat(cgroups.of(Integer.MAX_VALUE - 1)).isNull();
        // 0 and -1 would be a process group and every process for kill(2): never asked
        assertThat(cgroups.of(0)).isNull();
        assertThat(cgroups.of(-1)).isNull();
    }

    @Test
    void containerIdsAreTheCgroupPathsOwn() {
        Cgroups cgroups = new Cgroups();
        String id = "4f8c2b1e9a0d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b";
        assertThat(cgroups.containerId("/docker/" + id)).isEqualTo(id);
        assertThat(cgroups.containerId("/docker/" + id)).isEqualTo(id);
        assertThat(cgroups.containerId("/user.slice/user-0.slice/session-3.scope")).isNull();
        assertThat(cgroups.containerId("/user.slice/user-0.slice/session-3.scope")).isNull();
        assertThat(cgroups.containerId(null)).isNull();
    }

    @Test
    void aProcessMovedToAnotherCgroupIsSeenInIt() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "moving a process between cgroups needs root");
        // cgroup v2 at /sys/fs/cgroup, or v1's pids hierarchy; a cgroup named like a container, which the path choice prefers
        Path hierarchy = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")) ? Path.of("/sys/fs/cgroup") : Path.of("/sys/fs/cgroup/pids");
        Assumptions.assumeTrue(Files.isWritable(hierarchy.resolve("cgroup.procs")), "no writable cgroup hierarchy at " + hierarchy);
        String id = String.format("%064x", System.nanoTime());
        Path group = hierarchy.resolve("hostql-test-" + id);
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            Files.createDirectory(group);
            Cgroups cgroups = new Cgroups();
            int pid = (int) sleeper.pid();
            String before = cgroups.of(pid);
            assertThat(before).isEqualTo(ProcFs.cgroup(pid)).doesNotContain(id);
            assertThat(cgroups.containerId(before)).isNull();
            Files.writeString(group.resolve("cgroup.procs"), Long.toString(pid));
            String after = cgroups.of(pid);
            assertThat(after).isEqualTo(ProcFs.cgroup(pid)).endsWith("/hostql-test-" + id);
            assertThat(cgroups.containerId(after)).isEqualTo(id);
            // and back: the first content, parsed before, reads as it did
            Files.writeString(hierarchy.resolve("cgroup.procs"), Long.toString(pid));
            assertThat(cgroups.of(pid)).isEqualTo(before);
        } finally {
            sleeper.destroyForcibly();
            sleeper.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(group);
        }
    }
}
