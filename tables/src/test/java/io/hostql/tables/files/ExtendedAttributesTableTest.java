package io.hostql.tables.files;

import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.isRoot;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** extended_attributes against getfattr and getcap on files the test marks with setfattr and setcap. */
class ExtendedAttributesTableTest {
    /** getfattr -d -m - -e base64: name -> base64 value. */
    static Map<String, String> getfattr(Path f) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : run("getfattr", "--absolute-names", "-d", "-m", "-", "-e", "base64", f.toString()).split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) continue;
            int eq = line.indexOf('=');
            String v = eq < 0 ? "" : line.substring(eq + 1);
            out.put(eq < 0 ? line : line.substring(0, eq), v.startsWith("0s") ? v.substring(2) : v);
        }
        return out;
    }

    @Test
    void userAttributesAgreeWithGetfattr(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(hasCommand("setfattr") && hasCommand("getfattr"), "setfattr and getfattr (attr) are the witness");
        Path f = dir.resolve("marked.txt");
        Files.writeString(f, "data");
        run("setfattr", "-n", "user.hostql.text", "-v", "hello world", f.toString());
        run("setfattr", "-n", "user.hostql.binary", "-v", "0x00ff10", f.toString());
        run("setfattr", "-n", "user.hostql.empty", f.toString());
        Map<String, String> witness = getfattr(f);
        Assumptions.assumeTrue(witness.containsKey("user.hostql.text"), "the temp filesystem keeps user xattrs");
        List<Map<String, Object>> r = rows("SELECT * FROM extended_attributes WHERE path = ?", f.toString());
        assertThat(r).extracting(m -> m.get("key")).containsExactlyInAnyOrderElementsOf(witness.keySet());
        for (Map<String, Object> row : r) {
            String value = (String) row.get("value");
            byte[] raw = (Long) row.get("base64") == 1 ? Base64.getDecoder().decode(value) : value.getBytes();
            String expected = witness.get((String) row.get("key"));
            assertThat(Base64.getEncoder().encodeToString(raw)).as((String) row.get("key")).isEqualTo(expected);
            assertThat(row).containsEntry("directory", dir.toString());
        }
        assertThat(r).anySatisfy(m -> assertThat(m).containsEntry("key", "user.hostql.text").containsEntry("value", "hello world")
                .containsEntry("base64", 0L));
        assertThat(r).anySatisfy(m -> assertThat(m).containsEntry("key", "user.hostql.binary").containsEntry("value", "AP8Q")
                .containsEntry("base64", 1L));
        // directory = lists the files in it (not subdirectories); path LIKE expands as the file table does
        Files.createDirectories(dir.resolve("sub"));
        run("setfattr", "-n", "user.hostql.dir", "-v", "d", dir.resolve("sub").toString());
        assertThat(rows("SELECT DISTINCT path FROM extended_attributes WHERE directory = ?", dir.toString()))
                .extracting(m -> m.get("path")).containsExactly(f.toString());
        assertThat(rows("SELECT key FROM extended_attributes WHERE path LIKE ? AND key LIKE 'user.hostql.%'", dir + "/mark%"))
                .hasSize(3);
        assertThat(rows("SELECT value FROM extended_attributes WHERE path = ?", dir.resolve("sub").toString()))
                .extracting(m -> m.get("value")).containsExactly("d");
        // joined with file, as packs do
        assertThat(rows("SELECT f.size, x.key FROM file f JOIN extended_attributes x USING (path) WHERE f.path = ? AND x.key = 'user.hostql.text'",
                f.toString())).singleElement().satisfies(m -> assertThat(m).containsEntry("size", 4L));
    }

    @Test
    void capabilitiesAsGetcapShowsThem(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(isRoot(), "setting file capabilities needs root");
        Assumptions.assumeTrue(hasCommand("setcap") && hasCommand("getcap"), "setcap and getcap (libcap2-bin) are the witness");
        Path f = dir.resolve("ping-like");
        Files.writeString(f, "#!/bin/sh\n");
        run("setcap", "cap_net_raw,cap_net_admin+ep", f.toString());
        String getcap = run("getcap", f.toString()).strip(); // "<path> cap_net_admin,cap_net_raw=ep"
        Assumptions.assumeTrue(!getcap.isEmpty(), "the temp filesystem keeps security.capability");
        List<Map<String, Object>> r = rows("SELECT * FROM extended_attributes WHERE path = ? AND key = 'security.capability'", f.toString());
        assertThat(r).singleElement().satisfies(m -> assertThat(m)
                .containsEntry("value", getcap.substring(getcap.indexOf(' ') + 1)).containsEntry("base64", 0L));
        assertThat(r.get(0).get("value")).isEqualTo("cap_net_admin,cap_net_raw=ep");
    }

    @Test
    void needsAPathOrDirectoryAndToleratesMissingFiles(@TempDir Path dir) {
        assertThatThrownBy(() -> rows("SELECT * FROM extended_attributes")).hasMessageContaining("path");
        assertThat(rows("SELECT * FROM extended_attributes WHERE path = ?", dir.resolve("missing").toString())).isEmpty();
        assertThat(rows("SELECT * FROM extended_attributes WHERE directory = ?", dir.resolve("missing").toString())).isEmpty();
        assertThat(ExtendedAttributesTable.isPrintable("abc ~".getBytes())).isTrue();
        assertThat(ExtendedAttributesTable.isPrintable(new byte[] {'a', 0})).isFalse();
        assertThat(ExtendedAttributesTable.isPrintable(new byte[] {(byte) 0xc3, (byte) 0xa9})).isFalse();
    }
}
