package io.hostql.daemon;

import static io.hostql.daemon.DaemonProcess.query;
import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.events.SmallTmpfs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Storage faults under a real hostqld: a data dir that fills up (a small tmpfs) and one made immutable
 * while it runs. The daemon must neither die nor go blind silently.
 */
class StorageFaultEndToEndTest {
    @TempDir
    Path tmp;

    private static Path config(Path tmp, Path watched) throws Exception {
        // Hardware events off: another test's loop devices would add uevents to the count of what was dropped.
        return Files.writeString(tmp.resolve("hostql.conf"), """
                {"file_paths": {"watched": ["%s/%%%%"]}, "events": {"disable_subscribers": ["hardware_events"]}}
                """.formatted(watched));
    }

    private static String statusFile(Path data) {
        try {
            return Files.readString(data.resolve(StorageStatusFile.NAME), StandardCharsets.UTF_8).strip();
        } catch (Exception e) {
            return "";
        }
    }

    private static long rows(Path data, String where) {
        return (long) query(data, "SELECT count(*) FROM file_events WHERE " + where).rows().get(0)[0];
    }

    @Test
    void aFullDataDirIsOneExactLossRecordAndHostqldRecoversByItself() throws Exception {
        Assumptions.assumeTrue(SmallTmpfs.available(), "mounting a tmpfs as the data dir needs root");
        Path watched = Files.createDirectories(tmp.resolve("watched"));
        int whileFull = 50;
        // chmod of an existing file is exactly one inotify event (IN_ATTRIB, one row): the test knows what is dropped.
        for (int i = 0; i < whileFull; i++) Files.writeString(watched.resolve("full-" + i), "x");
        try (SmallTmpfs fs = new SmallTmpfs(tmp.resolve("data"), 16);
                DaemonProcess d = DaemonProcess.start(config(tmp, watched), fs.path(), "--disable_audit")) {
            Path before = watched.resolve("before");
            Files.writeString(before, "before");
            await(d, () -> rows(d.data, "target_path = '" + before + "'") > 0, 5, "a row before the disk fills");
            await(d, () -> statusFile(d.data).contains("journal: ok"), 5, "the status file");

            Path filler = fs.fill();
            Thread.sleep(500); // the journal looks at the free space at most every 250 ms
            for (int i = 0; i < whileFull; i++) {
                Files.setPosixFilePermissions(watched.resolve("full-" + i), PosixFilePermissions.fromString("rw-r-----"));
            }
            await(d, () -> statusFile(d.data).contains(whileFull + " events not captured"), 5,
                    "the status file to show the degraded journal; it says: " + statusFile(d.data));
            assertThat(statusFile(d.data)).contains("journal: DEGRADED since", "the file system is full", "(file " + whileFull + ")");
            String ctl = d.hostqlctl("status");
            assertThat(ctl).contains("hostqld is running", "journal: DEGRADED", whileFull + " events not captured");
            assertThat(d.process.isAlive()).isTrue();

            Files.delete(filler);
            await(d, () -> statusFile(d.data).contains("journal: ok"), 5, "the journal to recover by itself");
            Path after = watched.resolve("after");
            long t0 = System.nanoTime();
            Files.writeString(after, "after");
            await(d, () -> rows(d.data, "target_path = '" + after + "'") > 0, 2, "a row for a file written after the freeing");
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2000);

            await(d, () -> (long) query(d.data, "SELECT count(*) FROM hostql_event_losses WHERE source = 'journal'")
                    .rows().get(0)[0] > 0, 5, "the loss record");
            List<Object[]> losses = query(d.data, "SELECT count, reason FROM hostql_event_losses").rows();
            assertThat(losses).as("one loss record for the blind period").hasSize(1);
            assertThat(losses.get(0)[0]).isEqualTo((long) whileFull);
            assertThat((String) losses.get(0)[1]).contains("could not be written", "file " + whileFull);
            // Exact: the events counted are the ones missing, no more, no less.
            assertThat(rows(d.data, "target_path LIKE '" + watched + "/full-%' AND action = 'ATTRIBUTES_MODIFIED'")).isZero();
            assertThat(d.process.isAlive()).as("hostqld never died").isTrue();
            assertThat(d.output()).doesNotContain("publisher thread failed", "InternalError");
            assertThat(d.stop()).isZero();
        }
    }

    private static void await(DaemonProcess d, java.util.function.BooleanSupplier cond, int seconds, String what) throws InterruptedException {
        try {
            DaemonProcess.waitFor(cond, seconds, what);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nhostqld output:\n" + d.output(), e);
        }
    }

    @Test
    void anImmutableDataDirIsACleanExitWithOneClearLineNotASigbus() throws Exception {
        Assumptions.assumeTrue(SmallTmpfs.available(), "mounting a tmpfs and chattr need root");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/chattr")) || Files.isExecutable(Path.of("/bin/chattr")),
                "chattr (e2fsprogs) is not installed; scripts/install-deps installs it");
        Path watched = Files.createDirectories(tmp.resolve("watched"));
        Path cwd = Path.of("").toAbsolutePath();
        try (SmallTmpfs fs = new SmallTmpfs(tmp.resolve("data"), 16)) {
            Path probe = Files.writeString(fs.path().resolve("probe"), "x");
            try {
                SmallTmpfs.run("chattr", "+i", probe.toString());
                SmallTmpfs.run("chattr", "-i", probe.toString());
            } catch (java.io.IOException e) {
                Assumptions.abort("this kernel's tmpfs has no inode flags (chattr +i): " + e.getMessage());
            }
            Files.delete(probe);
            DaemonProcess d = DaemonProcess.start(config(tmp, watched), fs.path(), "--disable_audit");
            Path pidfile = d.data.resolveSibling(d.data.getFileName() + ".pid");
            try {
                Files.writeString(watched.resolve("one"), "1");
                await(d, () -> rows(d.data, "1") > 0, 10, "a first row");
                SmallTmpfs.run("chattr", "+i", d.data.toString(), d.data.resolve("journal").toString());
                for (int i = 0; i < 20 && d.process.isAlive(); i++) {
                    Files.writeString(watched.resolve("during-" + i), "x"); // events keep coming meanwhile
                    Thread.sleep(100);
                }
                assertThat(d.process.waitFor(10, TimeUnit.SECONDS)).as("hostqld exits").isTrue();
                assertThat(d.process.exitValue()).isEqualTo(Fatal.STORAGE);
                List<String> lines = d.output().lines().filter(l -> l.contains("is immutable (chattr +i)")).toList();
                assertThat(lines).as("one clear line on stderr and one in the status log").isNotEmpty();
                assertThat(lines.get(0)).contains(d.data.toString(), "chattr -i");
                assertThat(d.output()).doesNotContain("SIGBUS", "A fatal error has been detected");
                assertThat(pidfile).as("no stale pidfile").doesNotExist();
                try (Stream<Path> s = Files.list(cwd)) {
                    assertThat(s.filter(p -> p.getFileName().toString().equals("hs_err_pid" + d.pid() + ".log"))).isEmpty();
                }

                // A restart (as systemd does) refuses with the same line while the flag is there.
                Process again = new ProcessBuilder(DaemonProcess.command("io.hostql.daemon.Hostqld", "--config_path",
                        config(tmp, watched).toString(), "--database_path", d.data.toString(), "--logger_path", tmp.resolve("logs2").toString(),
                        "--pidfile", tmp.resolve("pid2").toString(), "--disable_audit")).redirectErrorStream(true).start();
                assertThat(again.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(again.exitValue()).isEqualTo(1);
                assertThat(new String(again.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).contains("is immutable (chattr +i)");
            } finally {
                SmallTmpfs.run("chattr", "-i", d.data.toString(), d.data.resolve("journal").toString());
                d.close();
            }
        }
    }
}
