package io.hostql.tables.files;

import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hostql.tables.TableTests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MagicTableTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void needsLibmagicAndFile() {
        Assumptions.assumeTrue(LibMagic.problem() == null, "needs libmagic1: " + LibMagic.problem());
        Assumptions.assumeTrue(TableTests.hasCommand("file"), "needs the file command (Debian package file) as witness");
    }

    @Test
    void matchesTheFileCommand() throws Exception {
        Path script = Files.writeString(tmp.resolve("script.sh"), "#!/bin/sh\necho hi\n");
        Path utf8 = Files.writeString(tmp.resolve("utf8.txt"), "héllo wörld\n");
        Path json = Files.writeString(tmp.resolve("x.json"), "{\"a\": [1, 2]}\n");
        Path gz = tmp.resolve("x.gz");
        run("sh", "-c", "echo hello | gzip > \"$1\"", "sh", gz.toString());
        for (String p : List.of("/etc/passwd", "/usr/bin/ls", "/bin/sh", "/dev/null", "/etc", script.toString(), utf8.toString(),
                json.toString(), gz.toString(), tmp + "/missing")) {
            Map<String, Object> r = rows("SELECT * FROM magic WHERE path = ?", p).get(0);
            assertThat(r.get("data")).as(p).isEqualTo(run("file", "-b", p).trim());
            assertThat(r.get("mime_type")).as(p).isEqualTo(run("file", "-b", "--mime-type", p).trim());
            assertThat(r.get("mime_encoding")).as(p).isEqualTo(run("file", "-b", "--mime-encoding", p).trim());
            assertThat(r.get("magic_db_files")).isEqualTo("/usr/share/misc/magic");
        }
    }

    @Test
    void severalPathsEachGetTheirOwnDescription() {
        // osquery's implementation left MIME flags set for the next path; each row here starts afresh.
        List<Map<String, Object>> r = rows("SELECT path, data FROM magic WHERE path IN ('/etc/passwd', '/usr/bin/ls')");
        assertThat(r).hasSize(2);
        for (Map<String, Object> m : r) assertThat(m.get("data")).isEqualTo(run("file", "-b", (String) m.get("path")).trim());
    }

    @Test
    void anExplicitDatabaseIsUsedAndABadOneIsAClearError() {
        Map<String, Object> r = rows("SELECT magic_db_files, mime_type FROM magic WHERE path = '/etc/passwd' "
                + "AND magic_db_files = '/usr/lib/file/magic.mgc'").get(0);
        assertThat(r).containsEntry("magic_db_files", "/usr/lib/file/magic.mgc").containsEntry("mime_type", "text/plain");
        assertThatThrownBy(() -> rows("SELECT * FROM magic WHERE path = '/etc/passwd' AND magic_db_files = ?", tmp + "/nope"))
                .hasMessageContaining("cannot load the magic database " + tmp + "/nope");
    }

    @Test
    void pathIsRequired() {
        assertThatThrownBy(() -> rows("SELECT * FROM magic")).hasMessageContaining("path");
    }
}
