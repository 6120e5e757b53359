package io.hostql.daemon;

import static io.hostql.daemon.DaemonProcess.query;
import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.sql.QueryResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FIM scenarios against a real hostqld and the real kernel: each change must be a
 * file_events row within 2 s, with correct hashes; excluded subtrees produce nothing.
 */
class FileIntegrityEndToEndTest {
    @TempDir
    static Path tmp;
    static Path tree, outside, later;
    static DaemonProcess daemon;

    @BeforeAll
    static void start() throws Exception {
        tree = Files.createDirectories(tmp.resolve("watched"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        later = tmp.resolve("appears-later");
        Files.createDirectories(tree.resolve("excluded"));
        Path config = Files.writeString(tmp.resolve("hostql.conf"), """
                {
                  "file_paths": {"tree": ["%s/%%%%"], "later": ["%s/%%%%"]},
                  "exclude_paths": {"tree": ["%s/excluded/%%%%"]}
                }
                """.formatted(tree, later, tree));
        daemon = DaemonProcess.start(config, tmp.resolve("data"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) assertThat(daemon.stop()).isZero();
    }

    static List<Object[]> rows(Path path) {
        return query(daemon.data, "SELECT action, transaction_id, sha256, hashed, size, mode, category FROM file_events WHERE target_path = '"
                + path.toString().replace("'", "''") + "' ORDER BY eid").rows();
    }

    static void expect(Path path, String action) throws InterruptedException {
        waitFor(() -> rows(path).stream().anyMatch(r -> r[0].equals(action)), 30, action + " of " + path);
    }

    static void waitFor(java.util.function.BooleanSupplier cond, int seconds, String what) throws InterruptedException {
        try {
            DaemonProcess.waitFor(cond, seconds, what);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nhostqld output:\n" + daemon.output(), e);
        }
    }

    static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    @Test
    void createWriteChmodRenameDelete() throws Exception {
        Path f = tree.resolve("config.txt");
        Files.writeString(f, "v1\n");
        expect(f, "CREATED");
        Files.writeString(f, "version two\n");
        waitFor(() -> rows(f).stream().anyMatch(r -> r[0].equals("UPDATED") && sha256Of("version two\n").equals(r[2])), 30, "UPDATED with the new hash");
        Object[] updated = rows(f).stream().filter(r -> r[0].equals("UPDATED")).reduce((a, b) -> b).orElseThrow();
        assertThat(updated[2]).isEqualTo(sha256(f));
        assertThat(updated[3]).isEqualTo(1L);
        assertThat(updated[4]).isEqualTo(12L);
        assertThat(updated[6]).isEqualTo("tree");

        new ProcessBuilder("chmod", "600", f.toString()).start().waitFor();
        expect(f, "ATTRIBUTES_MODIFIED");
        assertThat(rows(f).stream().filter(r -> r[0].equals("ATTRIBUTES_MODIFIED")).reduce((a, b) -> b).orElseThrow()[5]).isEqualTo("0600");

        Path renamed = tree.resolve("renamed.txt");
        Files.move(f, renamed);
        expect(f, "MOVED_FROM");
        expect(renamed, "MOVED_TO");
        long cookieFrom = (Long) rows(f).stream().filter(r -> r[0].equals("MOVED_FROM")).findFirst().orElseThrow()[1];
        long cookieTo = (Long) rows(renamed).stream().filter(r -> r[0].equals("MOVED_TO")).findFirst().orElseThrow()[1];
        assertThat(cookieFrom).isNotZero().isEqualTo(cookieTo);

        Path out = outside.resolve("renamed.txt");
        Files.move(renamed, out);
        expect(renamed, "MOVED_FROM");
        Files.move(out, renamed);
        expect(renamed, "MOVED_TO");
        Files.delete(renamed);
        expect(renamed, "DELETED");
    }

    private static String sha256Of(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aNewDirectoryAndItsFiles() throws Exception {
        Path dir = tree.resolve("newdir/nested");
        Files.createDirectories(dir);
        Path f = Files.writeString(dir.resolve("inside.conf"), "inside\n");
        expect(tree.resolve("newdir"), "CREATED");
        expect(f, "CREATED");
        waitFor(() -> rows(f).stream().anyMatch(r -> sha256Of("inside\n").equals(r[2])), 30, "the new file's hash");
        Files.writeString(f, "later write\n");
        waitFor(() -> rows(f).stream().anyMatch(r -> sha256Of("later write\n").equals(r[2])), 30, "a later write deep inside");
    }

    /** The new directory's watch and its scan race with the files written into it: each still has one CREATED row. */
    @Test
    void directoriesCreatedAndFilledAtOnceGiveOneCreatedRowPerFile() throws Exception {
        Path burst = Files.createDirectory(tree.resolve("burst"));
        int files = 0;
        for (int d = 0; d < 5; d++) {
            Path dir = Files.createDirectories(burst.resolve("d" + d + "/sub"));
            for (int i = 0; i < 100; i++, files += 2) {
                Files.createFile(dir.getParent().resolve("f" + i));
                Files.createFile(dir.resolve("f" + i));
            }
        }
        Path sentinel = Files.writeString(tree.resolve("sentinel-after-burst"), "s");
        waitFor(() -> !rows(sentinel).isEmpty(), 10, "the sentinel after the burst");
        String under = "target_path LIKE '" + burst + "/%' AND action = 'CREATED'";
        QueryResult wrong = query(daemon.data, "SELECT target_path, count(*) FROM file_events WHERE " + under
                + " GROUP BY target_path HAVING count(*) != 1 LIMIT 20");
        assertThat(wrong.rows()).as("paths with more than one CREATED row (path, count)").isEmpty();
        QueryResult distinct = query(daemon.data, "SELECT count(DISTINCT target_path) FROM file_events WHERE " + under);
        assertThat(distinct.rows().get(0)[0]).as("files and directories with a CREATED row").isEqualTo((long) files + 10);
    }

    @Test
    void aTreeMovedInFromOutside() throws Exception {
        Path src = Files.createDirectories(outside.resolve("pkg/lib/deep"));
        Files.writeString(src.resolve("module.so"), "binary");
        Files.writeString(outside.resolve("pkg/README"), "readme");
        Files.move(outside.resolve("pkg"), tree.resolve("pkg"));
        expect(tree.resolve("pkg"), "MOVED_TO");
        Path moved = tree.resolve("pkg/lib/deep/module.so");
        expect(moved, "CREATED");
        assertThat(rows(moved).get(0)[2]).isEqualTo(sha256(moved));
        Files.writeString(moved, "patched");
        waitFor(() -> rows(moved).stream().anyMatch(r -> sha256Of("patched").equals(r[2])), 30, "a write inside the moved-in tree");
    }

    @Test
    void aPathThatAppearsAfterStartUp() throws Exception {
        Files.createDirectories(later.resolve("sub"));
        Path f = Files.writeString(later.resolve("sub/new.key"), "secret");
        expect(f, "CREATED");
        assertThat(rows(f).get(0)[6]).isEqualTo("later");
    }

    @Test
    void excludedSubtreesProduceNothing() throws Exception {
        Path ex = Files.writeString(tree.resolve("excluded/noise.log"), "noise");
        Files.createDirectories(tree.resolve("excluded/deeper"));
        Files.writeString(tree.resolve("excluded/deeper/more.log"), "noise");
        Path sentinel = Files.writeString(tree.resolve("sentinel-after-excluded"), "s");
        expect(sentinel, "CREATED");
        QueryResult r = query(daemon.data, "SELECT count(*) FROM file_events WHERE target_path LIKE '" + tree.resolve("excluded") + "/%'");
        assertThat(r.rows().get(0)[0]).isEqualTo(0L);
        assertThat(ex).exists();
    }
}
