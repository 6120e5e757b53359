package io.hostql.tables.files;

import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTableTest {
    @TempDir
    Path tmp;

    /** coreutils stat's %F, as osquery's type names. */
    private static final Map<String, String> TYPES = Map.of("regular file", "regular", "regular empty file", "regular",
            "directory", "directory", "character special file", "character", "block special file", "block",
            "fifo", "fifo", "socket", "socket", "symbolic link", "symlink");

    /** The file row against `stat` (with -L for what osquery follows). */
    private static void assertMatchesStat(String path, boolean follow) {
        String format = "%i|%u|%g|%a|%s|%X|%Y|%Z|%h|%F|%o|%W|%t|%T";
        Map<String, Object> r = null;
        String witness = null;
        // Other processes may touch the file meanwhile (atime, a directory's mtime): retry until stat is stable around the query.
        for (int attempt = 0; attempt < 5; attempt++) {
            String before = run("stat", follow ? "-Lc" : "-c", format, path);
            r = rows("SELECT * FROM file WHERE path = ?", path).get(0);
            witness = run("stat", follow ? "-Lc" : "-c", format, path);
            if (witness.equals(before)) break;
        }
        String[] s = witness.trim().split("\\|");
        assertThat(r.get("inode")).as(path + " inode").isEqualTo(Long.parseLong(s[0]));
        assertThat(r.get("uid")).isEqualTo(Long.parseLong(s[1]));
        assertThat(r.get("gid")).isEqualTo(Long.parseLong(s[2]));
        assertThat(r.get("mode")).as(path + " mode").isEqualTo(String.format("%04o", Integer.parseInt(s[3], 8)));
        assertThat(r.get("size")).as(path + " size").isEqualTo(Long.parseLong(s[4]));
        assertThat(r.get("atime")).isEqualTo(Long.parseLong(s[5]));
        assertThat(r.get("mtime")).isEqualTo(Long.parseLong(s[6]));
        assertThat(r.get("ctime")).isEqualTo(Long.parseLong(s[7]));
        assertThat(r.get("hard_links")).isEqualTo(Long.parseLong(s[8]));
        assertThat(r.get("type")).as(path + " type").isEqualTo(TYPES.get(s[9]));
        assertThat(r.get("block_size")).isEqualTo(Long.parseLong(s[10]));
        assertThat(r.get("btime")).as(path + " btime").isEqualTo(s[11].equals("-") ? 0L : Long.parseLong(s[11]));
        long major = Long.parseLong(s[12], 16), minor = Long.parseLong(s[13], 16);
        assertThat(r.get("device")).as(path + " device (st_rdev)").isEqualTo(FileStat.makedev((int) major, (int) minor));
        assertThat(r.get("directory")).isEqualTo(path.substring(0, Math.max(1, path.lastIndexOf('/'))));
        assertThat(r.get("filename")).isEqualTo(path.substring(path.lastIndexOf('/') + 1));
    }

    @Test
    void statMatchesCoreutilsStat() {
        for (String p : List.of("/etc/passwd", "/etc", "/dev/null", "/usr/bin/passwd", "/etc/hostname", "/usr/bin")) {
            assertMatchesStat(p, false);
        }
        assertThat(rows("SELECT mode FROM file WHERE path = '/usr/bin/passwd'").get(0).get("mode")).isEqualTo("4755");
    }

    @Test
    void symlinkRowDescribesTheTargetAndFlagsTheLink() throws Exception {
        Path target = Files.writeString(tmp.resolve("target"), "hello");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), Path.of("target"));
        assertMatchesStat(link.toString(), true);
        Map<String, Object> r = rows("SELECT symlink, symlink_target_path, type, size FROM file WHERE path = ?", link.toString()).get(0);
        assertThat(r).containsEntry("symlink", 1L).containsEntry("symlink_target_path", "target")
                .containsEntry("type", "regular").containsEntry("size", 5L);
        assertThat(rows("SELECT symlink, symlink_target_path FROM file WHERE path = ?", target.toString()).get(0))
                .containsEntry("symlink", 0L).containsEntry("symlink_target_path", null);

        Path dangling = Files.createSymbolicLink(tmp.resolve("dangling"), Path.of("nowhere"));
        Map<String, Object> d = rows("SELECT inode, symlink, type, symlink_target_path FROM file WHERE path = ?", dangling.toString()).get(0);
        assertThat(d).containsEntry("symlink", 1L).containsEntry("type", "unknown").containsEntry("symlink_target_path", "nowhere");
        assertThat(d.get("inode")).isEqualTo(Long.parseLong(run("stat", "-c", "%i", dangling.toString()).trim()));
    }

    @Test
    void fifoAndSocketAreStatedNeverOpened() throws Exception {
        Path fifo = tmp.resolve("fifo");
        run("mkfifo", fifo.toString());
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertMatchesStat(fifo.toString(), false));
        try (var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            Path sock = tmp.resolve("sock");
            server.bind(java.net.UnixDomainSocketAddress.of(sock));
            assertThat(rows("SELECT type FROM file WHERE path = ?", sock.toString()).get(0)).containsEntry("type", "socket");
        }
    }

    @Test
    void directoryListsEveryEntryOneLevelAsGiven() throws Exception {
        Files.writeString(tmp.resolve("a"), "a");
        Files.writeString(tmp.resolve(".hidden"), "h");
        Files.createDirectories(tmp.resolve("sub/deeper"));
        Files.writeString(tmp.resolve("sub/inner"), "i");
        String dir = tmp.toString();
        List<Map<String, Object>> r = rows("SELECT path, directory, filename, type FROM file WHERE directory = ?", dir);
        assertThat(r).extracting(m -> m.get("path") + "|" + m.get("directory") + "|" + m.get("filename") + "|" + m.get("type"))
                .containsExactly(dir + "/.hidden|" + dir + "|.hidden|regular", dir + "/a|" + dir + "|a|regular",
                        dir + "/sub|" + dir + "|sub|directory");
        // A trailing slash stays in directory (so the constraint still matches) and is not doubled in path.
        assertThat(rows("SELECT path, directory FROM file WHERE directory = ?", dir + "/"))
                .extracting(m -> m.get("path") + "|" + m.get("directory"))
                .containsExactly(dir + "/.hidden|" + dir + "/", dir + "/a|" + dir + "/", dir + "/sub|" + dir + "/");
        assertThat(rows("SELECT * FROM file WHERE directory = ?", dir + "/missing")).isEmpty();
    }

    @Test
    void likeUsesOsqueryPatterns() throws Exception {
        Files.writeString(tmp.resolve("a.conf"), "a");
        Files.writeString(tmp.resolve(".hidden"), "h");
        Files.createDirectories(tmp.resolve("sub/deeper"));
        Files.writeString(tmp.resolve("sub/deeper/z.conf"), "z");
        String dir = tmp.toString();
        // One level, hidden names skipped, directories with a trailing slash (directory without, filename ".").
        List<Map<String, Object>> one = rows("SELECT path, directory, filename FROM file WHERE path LIKE ?", dir + "/%");
        assertThat(one).extracting(m -> m.get("path") + "|" + m.get("directory") + "|" + m.get("filename"))
                .containsExactly(dir + "/a.conf|" + dir + "|a.conf", dir + "/sub/|" + dir + "/sub|.");
        // Recursive.
        assertThat(rows("SELECT path FROM file WHERE path LIKE ?", dir + "/%%")).extracting(m -> m.get("path"))
                .containsExactly(dir + "/a.conf", dir + "/sub/", dir + "/sub/deeper/", dir + "/sub/deeper/z.conf");
        assertThat(rows("SELECT path FROM file WHERE path LIKE ? AND filename LIKE '%.conf'", dir + "/%%"))
                .extracting(m -> m.get("path")).containsExactly(dir + "/a.conf", dir + "/sub/deeper/z.conf");
        // directory LIKE lists the entries of each matching directory.
        assertThat(rows("SELECT path, directory FROM file WHERE directory LIKE ?", dir + "/s%"))
                .extracting(m -> m.get("path") + "|" + m.get("directory")).containsExactly(dir + "/sub/deeper|" + dir + "/sub/");
    }

    @Test
    void pathAndDirectoryTogetherGiveOneRowPerPath() throws Exception {
        Files.writeString(tmp.resolve("a"), "a");
        String dir = tmp.toString();
        assertThat(rows("SELECT path FROM file WHERE path = ? AND directory = ?", dir + "/a", dir)).hasSize(1);
        assertThat(rows("SELECT path FROM file WHERE path IN (?, ?, ?)", dir + "/a", dir + "/missing", "/etc/passwd"))
                .extracting(m -> m.get("path")).containsExactlyInAnyOrder(dir + "/a", "/etc/passwd");
    }

    @Test
    void nonUtf8NamesKeepTheirBytes() {
        String dir = tmp.toString();
        run("sh", "-c", "printf x > \"$1/$(printf 'bad\\377name')\"", "sh", dir);
        List<Map<String, Object>> r = rows("SELECT hex(filename) AS f, hex(path) AS p, size FROM file WHERE directory = ?", dir);
        assertThat(r).hasSize(1);
        assertThat(r.get(0).get("f")).isEqualTo("626164FF6E616D65");
        assertThat((String) r.get(0).get("p")).endsWith("2F626164FF6E616D65");
        assertThat(r.get(0).get("size")).isEqualTo(1L);
    }

    @Test
    void aQueryWithoutPathOrDirectoryIsRefusedNamingThem() {
        assertThatThrownBy(() -> rows("SELECT * FROM file")).hasMessageContaining("path").hasMessageContaining("directory");
    }

    @Test
    void everyEntryOfUsrBinIsListedOnce() {
        Map<String, Long> counts = Map.of();
        String[] ls = {};
        // A second try in case a package install changed /usr/bin in between.
        for (int attempt = 0; attempt < 2 && (attempt == 0 || !counts.keySet().equals(Set.of(ls))); attempt++) {
            counts = rows("SELECT filename FROM file WHERE directory = '/usr/bin'").stream()
                    .collect(Collectors.groupingBy(m -> (String) m.get("filename"), Collectors.counting()));
            ls = run("ls", "-A", "/usr/bin").trim().split("\n");
        }
        assertThat(counts.keySet()).containsExactlyInAnyOrder(ls);
        assertThat(counts.values()).allMatch(n -> n == 1);
    }
}
