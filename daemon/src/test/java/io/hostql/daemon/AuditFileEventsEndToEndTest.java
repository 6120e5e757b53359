package io.hostql.daemon;

import static io.hostql.daemon.DaemonProcess.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hostql.publishers.audit.AuditWitness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * process_file_events, and fork and kill rows in process_events, from a real hostqld in owner mode on the
 * real kernel: a python process writes, renames and deletes a file under a watched directory and the same
 * outside it; another forks a child and kills it. The second daemon of the class runs with the fork and kill
 * flags off (their default) and shows the same process's exec but no fork or kill.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditFileEventsEndToEndTest {
    @TempDir
    static Path tmp;
    static OwnerModeDaemon owner;
    static DaemonProcess daemon;
    static Path watched, outside;

    /** Writes, renames and deletes argv[1]/a in each directory given; prints its pid. */
    static final String FILES = """
            import os, sys
            for d in sys.argv[1:]:
                with open(os.path.join(d, "a.txt"), "w") as f:
                    f.write("hostql")
                os.rename(os.path.join(d, "a.txt"), os.path.join(d, "b.txt"))
                os.unlink(os.path.join(d, "b.txt"))
            print(os.getpid())
            """;

    /** Forks a child that waits, kills it, and prints its own pid and the child's. */
    static final String FORK_KILL = """
            import os, signal, time
            child = os.fork()
            if child == 0:
                time.sleep(30)
                os._exit(0)
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            print(os.getpid(), child)
            """;

    static String config(Path watchedDir, boolean forksAndKills) {
        return "{\"options\": {\"disable_audit\": false, \"audit_mode\": \"owner\", \"audit_allow_process_events\": true,"
                + " \"audit_allow_user_events\": false, \"audit_allow_fim_events\": " + forksAndKills + ","
                + " \"audit_allow_fork_process_events\": " + forksAndKills + ", \"audit_allow_kill_process_events\": " + forksAndKills + "},"
                + " \"file_paths\": {\"watched\": [\"" + watchedDir + "/%%\"]}}";
    }

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs python3 (scripts/install-deps installs it) to make the syscalls");
        watched = Files.createDirectories(tmp.resolve("watched"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        owner = OwnerModeDaemon.start(Files.writeString(tmp.resolve("hostql.conf"), config(watched, true)), tmp.resolve("data"));
        daemon = owner.daemon();
    }

    @AfterAll
    static void stop() throws Exception {
        if (owner != null) owner.stop();
    }

    static List<Object[]> rows(DaemonProcess d, String sql) {
        return query(d.data, sql).rows();
    }

    static void waitFor(DaemonProcess d, String sql, String what) throws InterruptedException {
        try {
            DaemonProcess.waitFor(() -> !rows(d, sql).isEmpty(), 15, what);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nhostqld output:\n" + d.output(), e);
        }
    }

    @Test
    @Order(1)
    void aFileWrittenRenamedAndDeletedUnderAWatchedPathIsFourRowsOfItsProcess() throws Exception {
        long pid = Long.parseLong(AuditWitness.run("/usr/bin/python3", "-c", FILES, watched.toString(), outside.toString()).strip());
        String where = " FROM process_file_events WHERE pid = " + pid;
        waitFor(daemon, "SELECT 1" + where + " AND operation = 'unlink'", "the unlink row of pid " + pid);
        List<Object[]> r = rows(daemon, "SELECT operation, path, dest_path, partial, executable, ppid, uid, gid, auid, euid, egid, fsuid, fsgid,"
                + " suid, sgid, cwd, time, uptime, syscall" + where + " ORDER BY audit_serial");
        String a = watched.resolve("a.txt").toString(), b = watched.resolve("b.txt").toString();
        assertThat(r).extracting(row -> row[0] + " " + row[1] + (row[2] == null ? "" : " -> " + row[2]))
                .containsExactly("open+truncate " + a, "write " + a, "rename " + a + " -> " + b, "unlink " + b);
        long now = System.currentTimeMillis() / 1000;
        for (Object[] row : r) {
            assertThat(row[3]).isEqualTo("false");
            assertThat(Path.of((String) row[4]).getFileName().toString()).startsWith("python3");
            assertThat((Long) row[5]).isEqualTo(ProcessHandle.current().pid());
            for (int i = 6; i <= 14; i++) {
                if (i == 8) assertThat((String) row[i]).as("auid").matches("[0-9]+");
                else assertThat(row[i]).as("id column %d", i).isEqualTo("0");
            }
            assertThat((Long) row[16]).isBetween(now - 60, now);
            assertThat((Long) row[17]).isPositive();
        }
        assertThat(rows(daemon, "SELECT path" + where + " AND (path LIKE '" + outside + "%' OR dest_path LIKE '" + outside + "%')"))
                .as("nothing outside file_paths").isEmpty();
        assertThat(rows(daemon, "SELECT operation" + where + " AND operation IN ('open', 'read', 'close')"))
                .as("accesses only with audit_fim_show_accesses").isEmpty();
    }

    @Test
    @Order(2)
    void aForkAndAKillAreProcessEventsWhenTheirFlagsAreOn() throws Exception {
        String[] pids = AuditWitness.run("/usr/bin/python3", "-c", FORK_KILL).strip().split(" ");
        long parent = Long.parseLong(pids[0]), child = Long.parseLong(pids[1]);
        waitFor(daemon, "SELECT 1 FROM process_events WHERE pid = " + parent + " AND syscall = 'kill'", "the kill row of pid " + parent);
        Object[] fork = rows(daemon, "SELECT syscall, parent, path, cmdline, owner_uid, uid FROM process_events WHERE pid = " + child
                + " AND syscall IN ('fork', 'vfork', 'clone')").get(0);
        assertThat(fork[1]).isEqualTo(parent);
        assertThat(Path.of((String) fork[2]).getFileName().toString()).startsWith("python3");
        assertThat(fork[3]).isEqualTo("");
        assertThat(fork[4]).isEqualTo(0L);
        Object[] kill = rows(daemon, "SELECT parent, path, uid FROM process_events WHERE pid = " + parent + " AND syscall = 'kill'").get(0);
        assertThat(kill[0]).isEqualTo(ProcessHandle.current().pid());
        assertThat(Path.of((String) kill[1]).getFileName().toString()).startsWith("python3");
        assertThat(kill[2]).isEqualTo(0L);
    }

    /** Last: it replaces the class's daemon with one whose fork, kill and FIM flags are off. */
    @Test
    @Order(3)
    void withTheFlagsOffThereIsNoForkKillOrFileRow() throws Exception {
        owner.stop();
        owner = null;
        Path conf = Files.writeString(tmp.resolve("off.conf"), config(watched, false));
        owner = OwnerModeDaemon.start(conf, tmp.resolve("data-off"));
        DaemonProcess off = owner.daemon();
        String[] pids = AuditWitness.run("/usr/bin/python3", "-c", FORK_KILL).strip().split(" ");
        long parent = Long.parseLong(pids[0]);
        long filer = Long.parseLong(AuditWitness.run("/usr/bin/python3", "-c", FILES, watched.toString()).strip());
        waitFor(off, "SELECT 1 FROM process_events WHERE pid = " + filer + " AND syscall = 'execve'", "the exec row of pid " + filer);
        assertThat(rows(off, "SELECT syscall FROM process_events WHERE (pid = " + parent + " OR parent = " + parent + ") AND syscall NOT LIKE 'exec%'"))
                .as("no fork or kill rows with the flags off").isEmpty();
        assertThat(rows(off, "SELECT 1 FROM process_file_events")).as("no file rows with audit_allow_fim_events off").isEmpty();
    }
}
