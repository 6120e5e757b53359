package io.hostql.tables.process;

import static io.hostql.tables.TableTests.generateWhere;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static io.hostql.tables.process.ProcessTestSupport.await;
import static io.hostql.tables.process.ProcessTestSupport.selfPid;
import static io.hostql.tables.process.ProcessTestSupport.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hostql.tables.TableTests.Child;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessesTableTest {
    private static Map<String, Object> process(long pid) {
        List<Map<String, Object>> r = rows("SELECT * FROM processes WHERE pid = ?", pid);
        assertThat(r).as("processes row for pid " + pid).hasSize(1);
        return r.get(0);
    }

    private static String ps(long pid, String field) {
        return run("ps", "-o", field + "=", "-p", Long.toString(pid)).strip();
    }

    private static long psLong(long pid, String field) {
        return Long.parseLong(ps(pid, field));
    }

    @Test
    void ownProcessHasRealCmdlineParentAndIds() throws Exception {
        assumeTrue(hasCommand("ps"), "needs ps (procps) as witness");
        long pid = selfPid();
        Map<String, Object> row = process(pid);

        byte[] raw = Files.readAllBytes(Path.of("/proc/self/cmdline"));
        String expected = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip();
        assertThat(row.get("cmdline")).isEqualTo(expected);
        assertThat(row.get("parent")).isEqualTo(psLong(pid, "ppid"));
        assertThat(row.get("path")).isEqualTo(Files.readSymbolicLink(Path.of("/proc/self/exe")).toString());
        assertThat(row.get("on_disk")).isEqualTo(1L);
        assertThat(row.get("name")).isEqualTo(ps(pid, "comm"));
        assertThat(row.get("cwd")).isEqualTo(Path.of(System.getProperty("user.dir")).toRealPath().toString());
        assertThat(row.get("root")).isEqualTo("/");
        assertThat(row.get("uid")).isEqualTo(psLong(pid, "ruid"));
        assertThat(row.get("euid")).isEqualTo(psLong(pid, "euid"));
        assertThat(row.get("suid")).isEqualTo(psLong(pid, "suid"));
        assertThat(row.get("gid")).isEqualTo(psLong(pid, "rgid"));
        assertThat(row.get("egid")).isEqualTo(psLong(pid, "egid"));
        assertThat(row.get("sgid")).isEqualTo(psLong(pid, "sgid"));
        assertThat(row.get("pgroup")).isEqualTo(psLong(pid, "pgid"));
        assertThat(row.get("nice")).isEqualTo(psLong(pid, "ni"));
        assertThat(row.get("wired_size")).isEqualTo(0L);
        assertThat((Long) row.get("threads")).isGreaterThan(1L); // a JVM always runs several
        // CPU time moves between the two readings; ps reports whole seconds.
        long cpuMs = (Long) row.get("user_time") + (Long) row.get("system_time");
        long psCpuMs = psLong(pid, "times") * 1000;
        assertThat(cpuMs).isBetween(psCpuMs - 2000, psCpuMs + 2000);
        assertThat((Long) row.get("disk_bytes_read")).isNotNull().isGreaterThanOrEqualTo(0L);
        assertThat((Long) row.get("disk_bytes_written")).isNotNull();
        assertThat(row.get("cgroup_path")).isEqualTo(cgroupPathOf("/proc/self/cgroup"));
        assertThat(row.get("start_time")).isEqualTo(epochOfLstart(pid));
    }

    private static String cgroupPathOf(String file) throws Exception {
        String first = Files.readAllLines(Path.of(file)).get(0);
        return first.substring(first.indexOf(':', first.indexOf(':') + 1) + 1);
    }

    /** ps computes lstart as boot time + start ticks, like osquery; date turns it back into epoch seconds. */
    private static long epochOfLstart(long pid) {
        String lstart = ps(pid, "lstart");
        return Long.parseLong(run("date", "-d", lstart, "+%s").strip());
    }

    @Test
    void pidsMatchPs() {
        assumeTrue(hasCommand("ps"), "needs ps (procps) as witness");
        java.time.Instant start = java.time.Instant.now();
        Set<Long> before = pids();
        Set<Long> ps = run("ps", "-e", "-o", "pid=").lines().map(String::strip).filter(s -> !s.isEmpty())
                .map(Long::parseLong).collect(Collectors.toSet());
        Set<Long> after = pids();
        // Present in both our scans: alive throughout, so ps saw it.
        Set<Long> stable = new HashSet<>(before);
        stable.retainAll(after);
        assertThat(ps).containsAll(stable);
        // What ps saw that neither scan did must have started after the first scan (ps itself, or any
        // short-lived process on a busy host): a process that is still here and older than the first
        // scan would be a real miss.
        Set<Long> missed = new HashSet<>(ps);
        missed.removeAll(before);
        missed.removeAll(after);
        Set<Long> realMisses = new HashSet<>();
        for (long pid : missed) {
            ProcessHandle.of(pid).flatMap(h -> h.info().startInstant())
                    .filter(t -> t.isBefore(start.minusSeconds(1))).ifPresent(t -> realMisses.add(pid));
        }
        assertThat(realMisses).as("old, still running processes ps saw but the table did not").isEmpty();
        assertThat(stable.size()).isGreaterThan(ps.size() / 2);
    }

    private static Set<Long> pids() {
        return rows("SELECT pid FROM processes").stream().map(r -> (Long) r.get("pid")).collect(Collectors.toSet());
    }

    @Test
    void childProcessIsVisibleWhileAlive(@TempDir Path dir) throws Exception {
        assumeTrue(hasCommand("ps") && hasCommand("sleep"), "needs ps and sleep");
        long childPid;
        try (Child child = start(dir, null, "sleep", "30")) {
            childPid = child.pid();
            await(() -> "sleep 30".equals(cmdline(child.pid())) && "S".equals(ps(child.pid(), "s")));
            Map<String, Object> row = process(childPid);
            assertThat(row.get("cmdline")).isEqualTo("sleep 30");
            assertThat(row.get("name")).isEqualTo("sleep");
            assertThat(row.get("path")).isEqualTo(run("readlink", "/proc/" + childPid + "/exe").strip());
            assertThat(row.get("on_disk")).isEqualTo(1L);
            assertThat(row.get("parent")).isEqualTo(selfPid());
            assertThat(row.get("cwd")).isEqualTo(dir.toRealPath().toString());
            assertThat(row.get("state")).isEqualTo(ps(childPid, "s"));
            assertThat(row.get("resident_size")).isEqualTo(psLong(childPid, "rss") * 1024);
            assertThat(row.get("total_size")).isEqualTo(psLong(childPid, "vsz") * 1024);
            assertThat(row.get("threads")).isEqualTo(psLong(childPid, "nlwp"));
            assertThat(row.get("pgroup")).isEqualTo(psLong(childPid, "pgid"));
            assertThat(row.get("start_time")).isEqualTo(epochOfLstart(childPid));
            assertThat((Long) row.get("start_time")).isBetween(System.currentTimeMillis() / 1000 - 60,
                    System.currentTimeMillis() / 1000 + 1);
        }
        assertThat(rows("SELECT pid FROM processes WHERE pid = ?", childPid)).isEmpty();
    }

    private static String cmdline(long pid) {
        List<Map<String, Object>> r = rows("SELECT cmdline FROM processes WHERE pid = ?", pid);
        return r.isEmpty() ? null : (String) r.get(0).get("cmdline");
    }

    @Test
    void deletedBinaryIsNotOnDisk(@TempDir Path dir) throws Exception {
        Path copy = dir.resolve("hostql-sleep-copy");
        Files.copy(Path.of("/bin/sleep"), copy);
        copy.toFile().setExecutable(true);
        String expectedPath = copy.toRealPath().toString();
        try (Child child = start(dir, null, copy.toString(), "30")) {
            await(() -> (copy + " 30").equals(cmdline(child.pid())));
            assertThat(process(child.pid()).get("on_disk")).isEqualTo(1L);
            Files.delete(copy);
            Map<String, Object> row = process(child.pid());
            assertThat(row.get("on_disk")).isEqualTo(0L);
            assertThat(row.get("path")).isEqualTo(expectedPath); // without the kernel's " (deleted)"
        }
    }

    @Test
    void diskBytesWrittenCountsWhatTheProcessWrote(@TempDir Path dir) throws Exception {
        assumeTrue(hasCommand("dd") && hasCommand("sh"), "needs dd and sh");
        // dd's I/O is added to the shell's counters when the shell reaps it.
        try (Child child = start(dir, null, "sh", "-c",
                "dd if=/dev/zero of=out bs=1M count=4 conv=fsync status=none; exec sleep 30")) {
            await(() -> "sleep 30".equals(cmdline(child.pid())));
            Map<String, Object> row = process(child.pid());
            assertThat((Long) row.get("disk_bytes_written")).isGreaterThanOrEqualTo(4L << 20);
            assertThat((Long) row.get("disk_bytes_read")).isNotNull();
        }
    }

    @Test
    void pushdownReadsOnlyTheAskedPidsAndNoThreads() throws Exception {
        ProcessesTable table = new ProcessesTable();
        long pid = selfPid();
        assertThat(generateWhere(table, "pid", pid, "pid", 1L)).extracting(r -> r.get("pid"))
                .containsExactlyInAnyOrder(pid, 1L);
        // A thread id resolves under /proc but is not a process (and a full scan does not list it).
        String tid = Files.list(Path.of("/proc/self/task")).map(p -> p.getFileName().toString())
                .filter(t -> !t.equals(Long.toString(pid))).findFirst().orElseThrow();
        assertThat(generateWhere(table, "pid", Long.parseLong(tid))).isEmpty();
        assertThat(rows("SELECT pid FROM processes WHERE pid IN (?, ?)", pid, Long.parseLong(tid)))
                .extracting(r -> r.get("pid")).containsExactly(pid);
        // A pid bound as text is pushed down as the number it holds.
        assertThat(rows("SELECT pid FROM processes WHERE pid = ?", Long.toString(pid))).hasSize(1);
    }

    @Test
    void kernelThreadHasNoPathOrMemory() {
        List<Map<String, Object>> r = rows("SELECT * FROM processes WHERE pid = 2 AND name = 'kthreadd'");
        assumeTrue(!r.isEmpty(), "pid 2 is not kthreadd here (a container?)");
        Map<String, Object> row = r.get(0);
        assertThat(row.get("path")).isEqualTo("");
        assertThat(row.get("on_disk")).isEqualTo(-1L);
        assertThat(row.get("cmdline")).isEqualTo("");
        assertThat(row.get("resident_size")).isNull();
        assertThat(row.get("total_size")).isNull();
        assertThat(row.get("parent")).isEqualTo(0L);
    }

    @Test
    void nonUtf8CmdlineReachesSqlAsRawBytes() throws Exception {
        assumeTrue(hasCommand("bash") && hasCommand("sleep"), "needs bash (exec -a) and sleep");
        // argv[0] = "x\xe9y": Latin-1, invalid as UTF-8.
        try (Child child = start(null, null, "bash", "-c", "exec -a $'x\\xe9y' sleep 30")) {
            await(() -> !rows("SELECT 1 FROM processes WHERE pid = ? AND name = 'sleep'", child.pid()).isEmpty());
            assertThat(rows("SELECT hex(cmdline) AS h FROM processes WHERE pid = ?", child.pid()))
                    .extracting(x -> x.get("h")).containsExactly("78E979203330"); // "x\xe9y 30"
        }
    }

    @Test
    void parsesStatWithHostileComm() {
        byte[] stat = "42 (a) b (c) S 1 42 42 0 -1 4194560 100 0 0 0 7 3 0 0 20 -5 3 0 12345 1000000 250 x\n"
                .getBytes(StandardCharsets.US_ASCII);
        long[] f = ProcessesTable.parseStat(stat);
        assertThat(f).isNotNull();
        assertThat((char) f[0]).isEqualTo('S');
        assertThat(f[1]).isEqualTo(1);
        assertThat(f[2]).isEqualTo(42);
        assertThat(f[11]).isEqualTo(7);
        assertThat(f[12]).isEqualTo(3);
        assertThat(f[16]).isEqualTo(-5);
        assertThat(f[17]).isEqualTo(3);
        assertThat(f[19]).isEqualTo(12345);
        assertThat(ProcessesTable.parseStat("42 (x) S 1\n".getBytes(StandardCharsets.US_ASCII))).isNull();
        assertThat(ProcessesTable.parseStat("garbage".getBytes(StandardCharsets.US_ASCII))).isNull();
    }

    @Test
    void parsesStatusIoCgroupAndCmdline() {
        Map<String, Object> r = new HashMap<>();
        ProcessesTable.parseStatus(("Name:\tmy proc\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t1000\t1001\t1002\t1003\n"
                + "Gid:\t10\t11\t12\t13\nVmPeak:\t   9000 kB\nVmSize:\t    8000 kB\nVmRSS:\t     512 kB\n").getBytes(StandardCharsets.US_ASCII), ProcessTestSupport.recorder(r));
        assertThat(r).containsEntry("name", "my proc").containsEntry("uid", 1000L).containsEntry("euid", 1001L)
                .containsEntry("suid", 1002L).containsEntry("gid", 10L).containsEntry("egid", 11L)
                .containsEntry("sgid", 12L).containsEntry("total_size", 8000L * 1024)
                .containsEntry("resident_size", 512L * 1024);

        Map<String, Object> io = new HashMap<>();
        ProcessesTable.parseIo(("rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: 4096\nwrite_bytes: 8192\n"
                + "cancelled_write_bytes: 4096\n").getBytes(StandardCharsets.US_ASCII), ProcessTestSupport.recorder(io));
        assertThat(io).containsEntry("disk_bytes_read", 4096L).containsEntry("disk_bytes_written", 4096L);

        assertThat(new String(ProcessesTable.cgroupPath("0::/user.slice/a:b\n".getBytes()))).isEqualTo("/user.slice/a:b");
        assertThat(new String(ProcessesTable.cgroupPath("12:pids:/x\n11:cpu:/y\n".getBytes()))).isEqualTo("/x");
        assertThat(ProcessesTable.cgroupPath("nonsense".getBytes())).isEmpty();
        assertThat(ProcessesTable.cgroupPath(null)).isEmpty();

        assertThat(new String(ProcessesTable.cmdline("ls\0-l\0a b\0".getBytes()))).isEqualTo("ls -l a b");
        assertThat(ProcessesTable.cmdline(new byte[0])).isEmpty();
        byte[] latin1 = {'x', 0, (byte) 0xe9, 0};
        assertThat(ProcessesTable.cmdline(latin1)).containsExactly('x', ' ', (byte) 0xe9);
    }
}
