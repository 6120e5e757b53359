package io.hostql.tables.process;

import static io.hostql.tables.TableTests.generateWhere;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.isRoot;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static io.hostql.tables.process.ProcessTestSupport.await;
import static io.hostql.tables.process.ProcessTestSupport.selfPid;
import static io.hostql.tables.process.ProcessTestSupport.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hostql.sql.table.RowSink;
import io.hostql.tables.TableTests.Child;
import java.io.RandomAccessFile;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessFilesEnvsMapsTest {
    /** Until the child has exec'd sleep and sleep has finished starting up (it opens and closes locale files). */
    static void awaitSleeping(long pid) throws InterruptedException {
        await(() -> !rows("SELECT 1 FROM processes WHERE pid = ? AND name = 'sleep' AND state = 'S'", pid).isEmpty());
    }

    // ---- process_open_files -------------------------------------------------------------------

    @Test
    void openFilesShowOurFileButNoPipesOrSockets(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("opened file.txt");
        Files.writeString(file, "x");
        Pipe pipe = Pipe.open();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r");
                Pipe.SourceChannel source = pipe.source(); Pipe.SinkChannel sink = pipe.sink()) {
            List<Map<String, Object>> r = rows("SELECT * FROM process_open_files WHERE pid = ?", selfPid());
            String real = file.toRealPath().toString();
            List<Map<String, Object>> ours = r.stream().filter(x -> real.equals(x.get("path"))).toList();
            assertThat(ours).hasSize(1);
            long fd = (Long) ours.get(0).get("fd");
            assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd))).isEqualTo(file.toRealPath());
            assertThat(r).noneSatisfy(x -> assertThat((String) x.get("path")).startsWith("pipe:"));
            assertThat(r).noneSatisfy(x -> assertThat((String) x.get("path")).startsWith("socket:"));
            assertThat(r).noneSatisfy(x -> assertThat((String) x.get("path")).startsWith("anon_inode:"));
            assertThat(source.isOpen() && sink.isOpen()).isTrue();
        }
    }

    @Test
    void openFilesOfAChildMatchItsFdDirectory(@TempDir Path dir) throws Exception {
        assumeTrue(hasCommand("sh") && hasCommand("ls"), "needs sh and ls");
        Path file = dir.resolve("held");
        Files.writeString(file, "x");
        try (Child child = start(dir, null, "sh", "-c", "exec 7<'" + file + "'; exec sleep 30")) {
            awaitSleeping(child.pid());
            Map<Long, String> ours = new HashMap<>();
            for (Map<String, Object> x : rows("SELECT fd, path FROM process_open_files WHERE pid = ?", child.pid())) {
                ours.put((Long) x.get("fd"), (String) x.get("path"));
            }
            assertThat(ours).containsEntry(7L, file.toRealPath().toString());
            // Witness: ls -l of the fd directory ("... 7 -> /path"), minus what is not a file.
            Map<Long, String> ls = new HashMap<>();
            for (String line : run("ls", "-l", "/proc/" + child.pid() + "/fd").lines().toList()) {
                int arrow = line.indexOf(" -> ");
                if (arrow < 0) continue;
                String[] left = line.substring(0, arrow).trim().split("\\s+");
                String target = line.substring(arrow + 4);
                if (target.startsWith("pipe:") || target.startsWith("socket:") || target.startsWith("anon_inode:")) continue;
                ls.put(Long.parseLong(left[left.length - 1]), target);
            }
            assertThat(ours).isEqualTo(ls);
        }
    }

    // ---- process_envs -------------------------------------------------------------------------

    @Test
    void envsOfAChildAreExactlyWhatItWasGiven() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("HOSTQL_TEST_VAR", "a value with spaces = and equals");
        env.put("HOSTQL_EMPTY", "");
        try (Child child = start(null, env, "sleep", "30")) {
            awaitSleeping(child.pid());
            List<Map<String, Object>> r = rows("SELECT key, value FROM process_envs WHERE pid = ?", child.pid());
            Map<String, Object> got = r.stream().collect(Collectors.toMap(x -> (String) x.get("key"), x -> x.get("value")));
            assertThat(got).isEqualTo(new HashMap<>(env));
            assertThat(rows("SELECT value FROM process_envs WHERE pid = ? AND key = 'HOSTQL_TEST_VAR'", child.pid()))
                    .extracting(x -> x.get("value")).containsExactly("a value with spaces = and equals");
        }
    }

    @Test
    void otherUsersProcessesAreReadableAsRoot() throws Exception {
        assumeTrue(isRoot(), "needs root: environ, fd and io of another user's process");
        assumeTrue(hasCommand("setpriv"), "needs setpriv (util-linux) to start a process as nobody");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("HOSTQL_NOBODY_VAR", "seen by root");
        try (Child child = start(null, env, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sleep", "30")) {
            awaitSleeping(child.pid());
            Map<String, Object> p = rows("SELECT * FROM processes WHERE pid = ?", child.pid()).get(0);
            assertThat(p.get("uid")).isEqualTo(65534L);
            assertThat(p.get("euid")).isEqualTo(65534L);
            assertThat(p.get("disk_bytes_read")).isNotNull();
            assertThat(p.get("path")).isEqualTo(run("readlink", "/proc/" + child.pid() + "/exe").strip());
            assertThat(rows("SELECT value FROM process_envs WHERE pid = ? AND key = 'HOSTQL_NOBODY_VAR'", child.pid()))
                    .extracting(x -> x.get("value")).containsExactly("seen by root");
            assertThat(rows("SELECT path FROM process_open_files WHERE pid = ? AND fd = 1", child.pid()))
                    .extracting(x -> x.get("path")).containsExactly("/dev/null");
        }
    }

    @Test
    void parsesEnvironEdgeCases() {
        byte[] env = "A=1\0B==x\0NOEQ\0\0AFTER=ignored\0".getBytes(StandardCharsets.ISO_8859_1);
        List<String> out = new ArrayList<>();
        ProcessEnvsTable.parse(7, env, recorder(out));
        assertThat(out).containsExactly("7|A|1", "7|B|=x", "7|NOEQ|");
        byte[] latin = {'K', '=', (byte) 0xe9, 0};
        List<Object[]> raw = new ArrayList<>();
        ProcessEnvsTable.parse(1, latin, () -> {
            Object[] row = new Object[3];
            raw.add(row);
            return new RowSink.Row() {
                public RowSink.Row set(String c, Object v) {
                    row[c.equals("pid") ? 0 : c.equals("key") ? 1 : 2] = v;
                    return this;
                }
            };
        });
        assertThat((byte[]) raw.get(0)[2]).containsExactly((byte) 0xe9); // raw bytes, not U+FFFD
    }

    private static RowSink recorder(List<String> out) {
        return () -> {
            Map<String, Object> m = new HashMap<>();
            String[] cols = {"pid", "key", "value"};
            return new RowSink.Row() {
                public RowSink.Row set(String c, Object v) {
                    m.put(c, v instanceof byte[] b ? new String(b, StandardCharsets.ISO_8859_1) : v);
                    if (m.size() == 3) out.add(m.get(cols[0]) + "|" + m.get(cols[1]) + "|" + m.get(cols[2]));
                    return this;
                }
            };
        };
    }

    // ---- process_memory_map -------------------------------------------------------------------

    @Test
    void memoryMapOfAChildMatchesItsMapsFile() throws Exception {
        assumeTrue(hasCommand("cat"), "needs cat");
        try (Child child = start(null, null, "sleep", "30")) {
            awaitSleeping(child.pid());
            List<Map<String, Object>> r = rows("SELECT * FROM process_memory_map WHERE pid = ?", child.pid());
            List<String> lines = run("cat", "/proc/" + child.pid() + "/maps").lines().toList();
            assertThat(r).hasSize(lines.size());
            for (int i = 0; i < lines.size(); i++) {
                String[] f = lines.get(i).trim().split("\\s+", 6);
                Map<String, Object> row = r.get(i);
                String[] range = f[0].split("-");
                assertThat(row.get("start")).isEqualTo("0x" + range[0]);
                assertThat(row.get("end")).isEqualTo("0x" + range[1]);
                assertThat(row.get("permissions")).isEqualTo(f[1]);
                assertThat(row.get("offset")).isEqualTo(Long.parseLong(f[2], 16));
                assertThat(row.get("device")).isEqualTo(f[3]);
                assertThat(row.get("inode")).isEqualTo(Long.parseLong(f[4]));
                String path = f.length > 5 ? f[5].trim() : "";
                assertThat(row.get("path")).isEqualTo(path);
                assertThat(row.get("pseudo")).isEqualTo(f[4].equals("0") && !path.isEmpty() ? 1L : 0L);
            }
            assertThat(r).anySatisfy(x -> assertThat((String) x.get("path")).endsWith("/sleep"));
            assertThat(r).anySatisfy(x -> assertThat(x.get("path")).isEqualTo("[stack]"));
        }
    }

    @Test
    void memoryMapPushdownReadsOnlyThatPid() throws Exception {
        List<Map<String, Object>> r = generateWhere(new ProcessMemoryMapTable(), "pid", selfPid());
        assertThat(r).isNotEmpty().allSatisfy(x -> assertThat(x.get("pid")).isEqualTo(selfPid()));
        assertThat(r).anySatisfy(x -> assertThat((String) x.get("path")).endsWith("libjvm.so"));
    }

    @Test
    void parsesMapsWithSpacesAndDeletedFiles() {
        byte[] maps = ("55d0c0a00000-55d0c0a02000 r--p 00000000 fd:01 1234                       /usr/bin/my prog\n"
                + "7f0000000000-7f0000001000 rw-s 00001000 00:05 99 /memfd:x (deleted)\n"
                + "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]\n"
                + "7f1000000000-7f1000001000 ---p 00000000 00:00 0 \n"
                + "broken line\n").getBytes(StandardCharsets.UTF_8);
        List<Map<String, Object>> out = new ArrayList<>();
        ProcessMemoryMapTable.parse(3, maps, () -> {
            Map<String, Object> m = new HashMap<>();
            out.add(m);
            return ProcessTestSupport.recorder(m);
        });
        assertThat(out).hasSize(4);
        assertThat(out.get(0)).containsEntry("start", "0x55d0c0a00000").containsEntry("end", "0x55d0c0a02000")
                .containsEntry("permissions", "r--p").containsEntry("offset", 0L).containsEntry("device", "fd:01")
                .containsEntry("inode", 1234L).containsEntry("path", "/usr/bin/my prog").containsEntry("pseudo", 0L);
        assertThat(out.get(1)).containsEntry("offset", 4096L).containsEntry("path", "/memfd:x (deleted)");
        assertThat(out.get(2)).containsEntry("path", "[stack]").containsEntry("pseudo", 1L);
        assertThat(out.get(3)).containsEntry("path", "").containsEntry("pseudo", 0L);
    }
}
