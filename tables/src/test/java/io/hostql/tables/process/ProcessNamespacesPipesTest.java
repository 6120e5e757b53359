package io.hostql.tables.process;

import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.isRoot;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hostql.tables.TableTests.Child;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** process_namespaces against lsns, process_open_pipes against lsof, on processes the test starts. */
class ProcessNamespacesPipesTest {
    @Test
    void namespacesMatchLsnsForAProcessInItsOwnNetAndUtsNamespaces() throws Exception {
        assumeTrue(isRoot(), "unshare of net and uts namespaces needs root");
        assumeTrue(hasCommand("lsns") && hasCommand("unshare"), "lsns and unshare (util-linux) are the witness");
        try (Child child = ProcessTestSupport.start(null, null, "unshare", "--net", "--uts", "sleep", "60")) {
            long pid = child.pid();
            ProcessTestSupport.await(() -> run("readlink", "/proc/" + pid + "/exe").strip().endsWith("/sleep"));
            Map<String, Object> row = rows("SELECT p.name, n.* FROM processes p JOIN process_namespaces n USING (pid) WHERE p.pid = ?", pid).get(0);
            assertThat(row).containsEntry("name", "sleep");
            // lsns -p PID prints the namespaces of that process: NS TYPE per line
            Map<String, String> lsns = new HashMap<>();
            for (String line : run("lsns", "-p", Long.toString(pid), "-n", "-r", "-o", "NS,TYPE").split("\n")) {
                String[] f = line.strip().split(" ");
                if (f.length == 2) lsns.put(f[1], f[0]);
            }
            assertThat(lsns).containsKeys("net", "uts", "mnt", "pid", "ipc", "user", "cgroup");
            for (Map.Entry<String, String> e : lsns.entrySet()) {
                if (e.getKey().equals("time")) continue; // osquery has no time_namespace column
                assertThat(row.get(e.getKey() + "_namespace")).as(e.getKey()).isEqualTo(e.getValue());
            }
            Map<String, Object> self = rows("SELECT * FROM process_namespaces WHERE pid = ?", ProcessTestSupport.selfPid()).get(0);
            assertThat(row.get("net_namespace")).isNotEqualTo(self.get("net_namespace"));
            assertThat(row.get("uts_namespace")).isNotEqualTo(self.get("uts_namespace"));
            assertThat(row.get("mnt_namespace")).isEqualTo(self.get("mnt_namespace"));
            // processes sharing the test JVM's net namespace, as a hunt for namespace escapes would ask
            assertThat(rows("SELECT pid FROM process_namespaces WHERE net_namespace = ?", row.get("net_namespace")))
                    .extracting(r -> r.get("pid")).containsExactly(pid);
        }
    }

    @Test
    void anonymousPipeEndsArePartnersAsLsofShowsThem() throws Exception {
        assumeTrue(hasCommand("lsof"), "lsof is the witness");
        List<Process> pipeline = ProcessBuilder.startPipeline(List.of(
                new ProcessBuilder("sleep", "61").redirectError(ProcessBuilder.Redirect.DISCARD),
                new ProcessBuilder("sleep", "62").redirectOutput(ProcessBuilder.Redirect.DISCARD)));
        try (Child writer = new Child(pipeline.get(0)); Child reader = new Child(pipeline.get(1))) {
            ProcessTestSupport.await(() -> run("readlink", "/proc/" + reader.pid() + "/exe").strip().endsWith("/sleep"));
            // lsof -F: p<pid>, f<fd>, a<access r|w|u>, i<inode> per descriptor
            Map<String, String> inodes = new HashMap<>();
            String pid = null, fd = null;
            for (String line : run("lsof", "-n", "-P", "-a", "-p", writer.pid() + "," + reader.pid(), "-d", "0,1", "-F", "pfai").split("\n")) {
                if (line.isEmpty()) continue;
                switch (line.charAt(0)) {
                    case 'p' -> pid = line.substring(1);
                    case 'f' -> fd = line.substring(1);
                    case 'i' -> inodes.put(pid + "/" + fd, line.substring(1));
                    default -> { }
                }
            }
            String inode = inodes.get(writer.pid() + "/1");
            assertThat(inode).isNotNull().isEqualTo(inodes.get(reader.pid() + "/0"));
            List<Map<String, Object>> ends = rows("SELECT * FROM process_open_pipes WHERE inode = ? ORDER BY pid", Long.parseLong(inode));
            assertThat(ends).hasSize(2);
            assertThat(ends.get(0)).containsEntry("pid", writer.pid()).containsEntry("fd", 1L).containsEntry("mode", "w")
                    .containsEntry("type", "anonymous").containsEntry("partner_pid", reader.pid())
                    .containsEntry("partner_fd", 0L).containsEntry("partner_mode", "r");
            assertThat(ends.get(1)).containsEntry("pid", reader.pid()).containsEntry("fd", 0L).containsEntry("mode", "r")
                    .containsEntry("partner_pid", writer.pid()).containsEntry("partner_mode", "w");
            assertThat(rows("SELECT p.name FROM process_open_pipes o JOIN processes p ON p.pid = o.partner_pid WHERE o.pid = ? AND o.fd = 1",
                    writer.pid())).extracting(r -> r.get("name")).containsExactly("sleep");
        }
    }

    @Test
    void namedPipeOpenedByAReaderAndAWriter(@TempDir Path dir) throws Exception {
        assumeTrue(hasCommand("mkfifo"), "mkfifo makes the named pipe");
        Path fifo = dir.resolve("fifo");
        run("mkfifo", fifo.toString());
        try (Child reader = ProcessTestSupport.start(null, null, "sh", "-c", "exec 5<" + fifo + "; exec sleep 60");
                Child writer = ProcessTestSupport.start(null, null, "sh", "-c", "exec 6>" + fifo + "; exec sleep 60")) {
            ProcessTestSupport.await(() -> run("readlink", "/proc/" + writer.pid() + "/exe").strip().endsWith("/sleep")
                    && run("readlink", "/proc/" + reader.pid() + "/exe").strip().endsWith("/sleep"));
            long inode = (Long) Files.getAttribute(fifo, "unix:ino");
            List<Map<String, Object>> ends = rows("SELECT pid, fd, mode, type, partner_pid, partner_fd FROM process_open_pipes WHERE inode = ? ORDER BY fd", inode);
            assertThat(ends).hasSize(2);
            assertThat(ends.get(0)).containsEntry("pid", reader.pid()).containsEntry("fd", 5L).containsEntry("mode", "r")
                    .containsEntry("type", "named").containsEntry("partner_pid", writer.pid()).containsEntry("partner_fd", 6L);
            assertThat(ends.get(1)).containsEntry("pid", writer.pid()).containsEntry("mode", "w").containsEntry("partner_pid", reader.pid());
        }
    }
}
