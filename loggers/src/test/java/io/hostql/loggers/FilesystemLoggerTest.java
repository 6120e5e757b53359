package io.hostql.loggers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesystemLoggerTest {
    @TempDir
    Path dir;

    @Test
    void resultsAndSnapshotsGoToTheirOwnFilesOneLineEachWithMode0640() throws Exception {
        try (FilesystemLogger log = new FilesystemLogger(dir, "0640", 0, 3)) {
            log.logResults(List.of("{\"a\":1}", "{\"a\":2}"));
            log.logSnapshots(List.of("{\"s\":1}"));
        }
        assertThat(Files.readAllLines(dir.resolve(FilesystemLogger.RESULTS))).containsExactly("{\"a\":1}", "{\"a\":2}");
        assertThat(Files.readAllLines(dir.resolve(FilesystemLogger.SNAPSHOTS))).containsExactly("{\"s\":1}");
        // stat(1) is the witness of the mode, independent of Java's view.
        Process p = new ProcessBuilder("stat", "-c", "%a", dir.resolve(FilesystemLogger.RESULTS).toString()).start();
        assertThat(new String(p.getInputStream().readAllBytes()).strip()).isEqualTo("640");
    }

    @Test
    void aFileWithWiderPermissionsIsNarrowedToTheMode() throws Exception {
        Path f = dir.resolve(FilesystemLogger.RESULTS);
        Files.writeString(f, "old\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-rw-"));
        try (FilesystemLogger log = new FilesystemLogger(dir, "0640", 0, 3)) {
            log.logResults(List.of("new"));
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-r-----");
        assertThat(Files.readAllLines(f)).containsExactly("old", "new");
    }

    @Test
    void rotatesBySizeKeepingAtMostMaxFilesAndNoLineIsSplit() throws Exception {
        String line = "x".repeat(99); // 100 bytes with the newline
        try (FilesystemLogger log = new FilesystemLogger(dir, "0640", 250, 2)) {
            for (int i = 0; i < 10; i++) log.logResults(List.of(line.substring(1) + i));
        }
        List<String> names = new ArrayList<>();
        try (var s = Files.list(dir)) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        assertThat(names).containsExactlyInAnyOrder(FilesystemLogger.RESULTS, FilesystemLogger.RESULTS + ".1",
                FilesystemLogger.RESULTS + ".2");
        // Newest last: .2 holds lines 4-5, .1 lines 6-7, the live file 8-9; every file within the size.
        assertThat(Files.readAllLines(dir.resolve(FilesystemLogger.RESULTS))).extracting(s -> s.charAt(98)).containsExactly('8', '9');
        assertThat(Files.readAllLines(dir.resolve(FilesystemLogger.RESULTS + ".1"))).extracting(s -> s.charAt(98)).containsExactly('6', '7');
        assertThat(Files.readAllLines(dir.resolve(FilesystemLogger.RESULTS + ".2"))).extracting(s -> s.charAt(98)).containsExactly('4', '5');
        for (String n : names) assertThat(Files.size(dir.resolve(n))).isLessThanOrEqualTo(250);
    }

    @Test
    void aBadModeIsRefusedUpFront() {
        assertThatThrownBy(() -> new FilesystemLogger(dir, "rw-r-----", 0, 1)).hasMessageContaining("logger_mode");
        assertThatThrownBy(() -> new FilesystemLogger(dir, "1777", 0, 1)).hasMessageContaining("logger_mode");
    }
}
