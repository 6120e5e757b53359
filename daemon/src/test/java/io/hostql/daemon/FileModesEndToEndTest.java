package io.hostql.daemon;

import static io.hostql.daemon.DaemonProcess.query;
import static io.hostql.daemon.DaemonProcess.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hostqld's files get safe modes whatever umask it is started with, and wider modes left from before are tightened. */
class FileModesEndToEndTest {
    /** A shell that gives hostqld the most permissive umask before starting it. */
    static final List<String> UMASK_000 = List.of("sh", "-c", "umask 000; exec \"$@\"", "sh");

    @TempDir
    Path tmp;

    static String mode(Path p) throws Exception {
        return FileModes.octal(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    /** Every path under dir with its mode, as "path 0600". */
    static List<String> modes(Path dir) throws Exception {
        List<String> out = new ArrayList<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) out.add(p + " " + mode(p));
        }
        return out;
    }

    Path config() throws Exception {
        Path watched = Files.createDirectories(tmp.resolve("watched"));
        // Results change every second, and rotate at 200 bytes: rotated result logs are checked too.
        return Files.writeString(tmp.resolve("hostql.conf"), """
                {"schedule": {"clock": {"query": "SELECT strftime('%%s','now') AS t, '%s' AS pad", "interval": 1}},
                 "file_paths": {"watched": ["%s/%%%%"]}}
                """.formatted("x".repeat(100), watched));
    }

    @Test
    void underUmask000EveryFileAndDirGetsItsMode() throws Exception {
        Path data = tmp.resolve("data");
        try (DaemonProcess d = DaemonProcess.start(UMASK_000, config(), data, "--logger_rotate_size", "200",
                "--logger_rotate_max_files", "3")) {
            Files.writeString(tmp.resolve("watched").resolve("new-file"), "x");
            waitFor(() -> query(data, "SELECT count(*) FROM file_events").rows().get(0)[0] instanceof Long n && n > 0
                    && Files.exists(d.logs.resolve("hostqld.results.log.1")), 30, "a file event and a rotated result log");

            assertThat(mode(data)).isEqualTo("0700");
            assertThat(Files.exists(data.resolve("journal"))).isTrue();
            for (String line : modes(data)) {
                Path p = Path.of(line.substring(0, line.lastIndexOf(' ')));
                assertThat(line).as("data dir").endsWith(Files.isDirectory(p) ? " 0700" : " 0600");
            }
            assertThat(mode(d.logs)).isEqualTo("0750");
            List<String> logs = modes(d.logs);
            assertThat(logs).anyMatch(l -> l.contains("hostqld.status.log 0640")).anyMatch(l -> l.contains("hostqld.results.log.1 0640"));
            for (String line : logs.subList(1, logs.size())) assertThat(line).as("log dir").endsWith(" 0640");
            assertThat(mode(data.resolveSibling("data.pid"))).isEqualTo("0644");
            assertThat(d.output()).doesNotContain("tightened");
        }
    }

    @Test
    void widerModesFromBeforeAreTightenedWithOneStatusLine() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data").resolve("journal")).getParent();
        Path logs = Files.createDirectories(tmp.resolve("data-logs"));
        Path stale = Files.writeString(data.resolve("stale-state"), "x");
        Path oldLog = Files.writeString(logs.resolve("hostqld.results.log.2"), "{}\n");
        for (Path p : List.of(data, data.resolve("journal"), logs)) Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwxrwx"));
        for (Path p : List.of(stale, oldLog)) Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-rw-rw-"));

        Path empty = Files.writeString(tmp.resolve("empty.conf"), "{}");
        try (DaemonProcess d = DaemonProcess.start(UMASK_000, empty, data, "--disable_events")) {
            assertThat(mode(data)).isEqualTo("0700");
            assertThat(mode(data.resolve("journal"))).isEqualTo("0700");
            assertThat(mode(stale)).isEqualTo("0600");
            assertThat(mode(logs)).isEqualTo("0750");
            assertThat(mode(oldLog)).isEqualTo("0640");
            List<String> said = d.output().lines().filter(l -> l.contains("tightened")).toList();
            assertThat(said).hasSize(1);
            assertThat(said.get(0)).contains("tightened the modes of 5 existing files and directories open to other users")
                    .contains("e.g. " + data + " 0777 -> 0700");
        }
    }
}
