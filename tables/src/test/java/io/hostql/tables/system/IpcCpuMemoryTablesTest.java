package io.hostql.tables.system;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.isRoot;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** shared_memory against ipcmk/ipcs, cpu_time against /proc/stat read around it, memory_map against /proc/iomem. */
class IpcCpuMemoryTablesTest {
    @Test
    void sharedMemorySegmentMadeByIpcmkAsIpcsShowsIt() throws Exception {
        assumeTrue(hasCommand("ipcmk") && hasCommand("ipcs"), "ipcmk and ipcs (util-linux) make and show the segment");
        String made = run("ipcmk", "-M", "8192", "-p", "0640");
        long shmid = Long.parseLong(made.replaceAll("(?s).*id: *([0-9]+).*", "$1"));
        try {
            Map<String, Object> row = rows("SELECT * FROM shared_memory WHERE shmid = ?", shmid).get(0);
            // ipcs -m -i ID: "uid=0	gid=0	cuid=0	cgid=0", "mode=0640	access_perms=0640", "bytes=8192	lpid=0	cpid=123	nattch=0"
            String detail = run("ipcs", "-m", "-i", Long.toString(shmid));
            assertThat(row.get("size")).isEqualTo(Long.parseLong(field(detail, "bytes")));
            assertThat(row.get("creator_pid")).isEqualTo(Long.parseLong(field(detail, "cpid")));
            assertThat(row.get("pid")).isEqualTo(Long.parseLong(field(detail, "lpid")));
            assertThat(row.get("attached")).isEqualTo(Long.parseLong(field(detail, "nattch")));
            assertThat(row.get("owner_uid")).isEqualTo(Long.parseLong(field(detail, "uid")));
            assertThat(row.get("creator_uid")).isEqualTo(Long.parseLong(field(detail, "cuid")));
            assertThat(row).containsEntry("permissions", "0640").containsEntry("status", "").containsEntry("locked", 0L);
            assertThat((Long) row.get("ctime")).isGreaterThan(0L);
            assertThat(rows("SELECT u.username FROM shared_memory s JOIN users u ON u.uid = s.owner_uid WHERE s.shmid = ?", shmid))
                    .extracting(r -> r.get("username")).containsExactly(run("id", "-un").strip());
        } finally {
            run("ipcrm", "-m", Long.toString(shmid));
        }
        assertThat(rows("SELECT * FROM shared_memory WHERE shmid = ?", shmid)).isEmpty();
    }

    private static String field(String ipcs, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b" + name + "=(\\d+)").matcher(ipcs);
        assertThat(m.find()).as(name + " in " + ipcs).isTrue();
        return m.group(1);
    }

    @Test
    void sharedMemoryDecodesDestAndLockedModesAndNoFileGivesNoRows(@TempDir Path dir) throws Exception {
        Path shm = dir.resolve("shm");
        Files.writeString(shm, "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n"
                + "         0         32  3600                  4096   100   101      2  4242     0     0     0 1700000001 1700000002 1700000003                  4096                     0\n");
        Map<String, Object> r = generate(new SharedMemoryTable(shm)).get(0);
        assertThat(r).containsEntry("shmid", 32L).containsEntry("permissions", "3600").containsEntry("status", "dest")
                .containsEntry("locked", 1L).containsEntry("attached", 2L).containsEntry("pid", 101L).containsEntry("creator_pid", 100L)
                .containsEntry("atime", 1700000001L).containsEntry("dtime", 1700000002L).containsEntry("ctime", 1700000003L)
                .containsEntry("creator_uid", 0L);
        if (io.hostql.tables.users.Passwd.nssByUid(4242) == null) assertThat(r.get("owner_uid")).isNull(); // osquery: no such user, no uid
        assertThat(generate(new SharedMemoryTable(dir.resolve("missing")))).isEmpty();
    }

    @Test
    void cpuTimeLiesBetweenTwoReadsOfProcStat() throws Exception {
        List<long[]> before = procStat();
        List<Map<String, Object>> rows = rows("SELECT * FROM cpu_time ORDER BY core");
        List<long[]> after = procStat();
        assertThat(rows).hasSize(before.size()).hasSize(Runtime.getRuntime().availableProcessors());
        String[] cols = {"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal", "guest", "guest_nice"};
        for (int core = 0; core < rows.size(); core++) {
            assertThat(rows.get(core)).containsEntry("core", (long) core);
            for (int i = 0; i < cols.length; i++) {
                long v = (Long) rows.get(core).get(cols[i]);
                // idle and iowait may step back by a tick on a tickless kernel; the others only grow
                assertThat(v).as("cpu%d %s", core, cols[i]).isBetween(before.get(core)[i] - 1, after.get(core)[i] + 1);
            }
        }
    }

    /** The cpuN lines of /proc/stat as cat prints them. */
    private static List<long[]> procStat() {
        List<long[]> out = new ArrayList<>();
        for (String line : run("cat", "/proc/stat").split("\n")) {
            if (!line.matches("cpu\\d+ .*")) continue;
            String[] f = line.split(" +");
            long[] v = new long[10];
            for (int i = 0; i < 10; i++) v[i] = i + 1 < f.length ? Long.parseLong(f[i + 1]) : 0;
            out.add(v);
        }
        return out;
    }

    @Test
    void cpuTimeFillsCountersAnOldKernelLacks(@TempDir Path dir) throws Exception {
        Path stat = dir.resolve("stat");
        Files.writeString(stat, "cpu  10 0 5 100 1 0 0\ncpu0 10 0 5 100 1 0 0\nintr 5\ncpu1 1 2 3 4 5 6 7 8\n");
        List<Map<String, Object>> r = generate(new CpuTimeTable(stat));
        assertThat(r).hasSize(2);
        assertThat(r.get(0)).containsEntry("core", 0L).containsEntry("idle", 100L).containsEntry("steal", 0L).containsEntry("guest_nice", 0L);
        assertThat(r.get(1)).containsEntry("core", 1L).containsEntry("softirq", 7L).containsEntry("steal", 8L).containsEntry("guest", 0L);
    }

    @Test
    void memoryMapHasEveryRegionOfProcIomem() throws Exception {
        assumeTrue(isRoot(), "only root sees the addresses in /proc/iomem");
        List<String> expected = new ArrayList<>();
        for (String line : run("cat", "/proc/iomem").split("\n")) {
            String l = line.strip();
            if (l.isEmpty()) continue;
            String[] se = l.substring(0, l.indexOf(" : ")).split("-");
            expected.add("0x" + se[0] + " 0x" + se[1] + " " + l.substring(l.indexOf(" : ") + 3));
        }
        List<String> actual = new ArrayList<>();
        for (Map<String, Object> r : rows("SELECT * FROM memory_map")) actual.add(r.get("start") + " " + r.get("end") + " " + r.get("name"));
        assertThat(actual).isEqualTo(expected);
        assertThat(rows("SELECT start, end FROM memory_map WHERE name LIKE 'System RAM%'")).isNotEmpty();
    }
}
