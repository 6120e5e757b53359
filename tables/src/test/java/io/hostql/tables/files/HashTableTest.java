package io.hostql.tables.files;

import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HashTableTest {
    @TempDir
    Path tmp;

    private static String digestOf(String tool, String path) {
        return run(tool, path).split(" ")[0];
    }

    @Test
    void etcPasswdMatchesCoreutils() {
        Map<String, Object> r = rows("SELECT * FROM hash WHERE path = '/etc/passwd'").get(0);
        assertThat(r.get("md5")).isEqualTo(digestOf("md5sum", "/etc/passwd"));
        assertThat(r.get("sha1")).isEqualTo(digestOf("sha1sum", "/etc/passwd"));
        assertThat(r.get("sha256")).isEqualTo(digestOf("sha256sum", "/etc/passwd"));
        assertThat(r.get("directory")).isEqualTo("/etc");
    }

    @Test
    void directoryHashesRegularFilesFollowingSymlinksInOrder() throws Exception {
        byte[] big = new byte[3 * 1024 * 1024 + 17]; // several read blocks
        new Random(42).nextBytes(big);
        Files.write(tmp.resolve("big"), big);
        Files.write(tmp.resolve("empty"), new byte[0]);
        Files.writeString(tmp.resolve(".hidden"), "hidden");
        Files.createSymbolicLink(tmp.resolve("link"), Path.of("big"));
        Files.createSymbolicLink(tmp.resolve("dangling"), Path.of("nowhere"));
        Files.createDirectories(tmp.resolve("subdir"));
        run("mkfifo", tmp.resolve("fifo").toString());
        String dir = tmp.toString();

        List<Map<String, Object>> r = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> rows("SELECT path, directory, md5, sha1, sha256 FROM hash WHERE directory = ?", dir));
        Map<String, String> expected = new LinkedHashMap<>();
        for (String name : List.of(".hidden", "big", "empty", "link")) expected.put(dir + "/" + name, digestOf("sha256sum", dir + "/" + name));
        assertThat(r).extracting(m -> m.get("path")).containsExactlyElementsOf(expected.keySet());
        for (Map<String, Object> m : r) {
            String p = (String) m.get("path");
            assertThat(m.get("sha256")).as(p).isEqualTo(expected.get(p));
            assertThat(m.get("md5")).as(p).isEqualTo(digestOf("md5sum", p));
            assertThat(m.get("sha1")).as(p).isEqualTo(digestOf("sha1sum", p));
            assertThat(m.get("directory")).isEqualTo(dir);
        }
    }

    @Test
    void fifoIsSkippedWithoutHanging() {
        Path fifo = tmp.resolve("fifo");
        run("mkfifo", fifo.toString());
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            assertThat(rows("SELECT * FROM hash WHERE path = ?", fifo.toString())).isEmpty();
            assertThat(rows("SELECT * FROM hash WHERE path LIKE ?", tmp + "/%")).isEmpty();
        });
        // Even handed straight to the hasher, a FIFO is opened non-blocking and refused by fstat.
        assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThat(FileHashes.hash(FilePath.of(fifo.toString()), true, true, true)).isNull());
    }

    @Test
    void anUnreadableFileGetsEmptyDigestsAndTheQueryGoesOn() {
        // Readable to nobody, root included: /proc/self/mem is a regular file whose first page is unmapped (EIO).
        List<Map<String, Object>> r = rows("SELECT path, md5, sha256 FROM hash WHERE path IN ('/proc/self/mem', '/etc/passwd')");
        assertThat(r).extracting(m -> m.get("path")).containsExactlyInAnyOrder("/proc/self/mem", "/etc/passwd");
        Map<String, Object> mem = r.stream().filter(m -> m.get("path").equals("/proc/self/mem")).findFirst().orElseThrow();
        assertThat(mem).containsEntry("md5", "").containsEntry("sha256", "");
        // A file that vanished between listing and hashing.
        assertThat(FileHashes.hash(FilePath.of(tmp + "/vanished"), true, true, true)).isEqualTo(FileHashes.Digests.UNREADABLE);
    }

    @Test
    void onlyRequestedDigestsAreComputed() {
        FileHashes.Digests d = FileHashes.hash(FilePath.of("/etc/passwd"), false, false, true);
        assertThat(d.md5()).isNull();
        assertThat(d.sha1()).isNull();
        assertThat(d.sha256()).isEqualTo(digestOf("sha256sum", "/etc/passwd"));
        Map<String, Object> r = rows("SELECT sha1 FROM hash WHERE path = '/etc/passwd'").get(0);
        assertThat(r.get("sha1")).isEqualTo(digestOf("sha1sum", "/etc/passwd"));
    }

    @Test
    void likeExpandsPaths() throws Exception {
        Files.writeString(tmp.resolve("a.txt"), "a");
        Files.createDirectories(tmp.resolve("sub"));
        Files.writeString(tmp.resolve("sub/b.txt"), "b");
        assertThat(rows("SELECT path FROM hash WHERE path LIKE ?", tmp + "/%%")).extracting(m -> m.get("path"))
                .containsExactly(tmp + "/a.txt", tmp + "/sub/b.txt");
        assertThat(rows("SELECT path, directory FROM hash WHERE path LIKE ?", tmp + "/%.txt"))
                .extracting(m -> m.get("path") + "|" + m.get("directory")).containsExactly(tmp + "/a.txt|" + tmp);
    }

    @Test
    void usrBinMatchesSha256sum() {
        Map<String, String> expected = new LinkedHashMap<>(), actual = new LinkedHashMap<>();
        // A second try in case a package install changed /usr/bin in between.
        for (int attempt = 0; attempt < 2 && (attempt == 0 || !actual.equals(expected)); attempt++) {
            expected.clear();
            actual.clear();
            for (String line : run("sh", "-c", "sha256sum /usr/bin/* 2>/dev/null").split("\n")) {
                if (!line.isBlank()) expected.put(line.substring(66), line.substring(0, 64));
            }
            for (Map<String, Object> m : rows("SELECT path, sha256 FROM hash WHERE directory = '/usr/bin'")) {
                actual.put((String) m.get("path"), (String) m.get("sha256"));
            }
        }
        assertThat(actual).hasSizeGreaterThan(100).isEqualTo(expected);
    }
}
