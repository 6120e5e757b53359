package io.hostql.tables.storage;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.isRoot;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountsTableTest {
    @Test
    void mountPointsAndTypesMatchFindmnt() throws Exception {
        assumeTrue(hasCommand("findmnt"), "findmnt (util-linux) is the witness");
        JsonNode fs = new ObjectMapper().readTree(run("findmnt", "-J", "-l", "-o", "TARGET,FSTYPE")).get("filesystems");
        List<String> expected = new ArrayList<>();
        for (JsonNode f : fs) expected.add(f.get("target").asText() + " " + f.get("fstype").asText());
        List<String> ours = new ArrayList<>();
        for (Map<String, Object> r : rows("SELECT path, type FROM mounts")) ours.add(r.get("path") + " " + r.get("type"));
        assertThat(ours).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void rootStatfsMatchesStat() {
        // stat -f: %s block size, %b blocks, %f free, %a available, %c inodes, %d free inodes
        String[] w = run("stat", "-f", "-c", "%s %b %f %a %c %d", "/").strip().split(" ");
        Map<String, Object> r = rows("SELECT * FROM mounts WHERE path = '/'").get(0);
        assertThat(r.get("blocks_size")).isEqualTo(Long.parseLong(w[0]));
        assertThat(r.get("blocks")).isEqualTo(Long.parseLong(w[1]));
        assertThat(r.get("inodes")).isEqualTo(Long.parseLong(w[4]));
        // other processes write to / between the two reads
        assertThat((Long) r.get("blocks_free")).isCloseTo(Long.parseLong(w[2]), within(65536L));
        assertThat((Long) r.get("blocks_available")).isCloseTo(Long.parseLong(w[3]), within(65536L));
        assertThat((Long) r.get("inodes_free")).isCloseTo(Long.parseLong(w[5]), within(10000L));
        assertThat((String) r.get("flags")).startsWith(run("findmnt", "-n", "-o", "VFS-OPTIONS", "/").strip().substring(0, 2));
    }

    @Test
    void tmpfsWithSpaceInPathShowsItsSizeAndOptions(@TempDir Path dir) throws Exception {
        assumeTrue(isRoot(), "needs root: mounts a tmpfs");
        Path target = dir.resolve("mount point");
        Files.createDirectories(target);
        run("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "hqtest", target.toString());
        try {
            List<Map<String, Object>> r = rows("SELECT * FROM mounts WHERE path = ?", target.toString());
            assumeTrue(!r.isEmpty(), "mount(8) could not mount a tmpfs here");
            Map<String, Object> m = r.get(0);
            assertThat(m).containsEntry("device", "hqtest").containsEntry("device_alias", "hqtest").containsEntry("type", "tmpfs");
            assertThat((Long) m.get("blocks") * (Long) m.get("blocks_size")).isEqualTo(1L << 20);
            assertThat(m.get("blocks_free")).isEqualTo(m.get("blocks"));
            assertThat((String) m.get("flags")).contains("rw").contains("size=1024k").contains("mode=700");
        } finally {
            run("umount", target.toString());
        }
    }

    @Test
    void parsesEscapesNonUtf8AndUnreachableMounts(@TempDir Path dir) throws Exception {
        Path dev = dir.resolve("disk-link");
        Files.createSymbolicLink(dev, dir);
        Path file = dir.resolve("mounts");
        byte[] text = ("/dev/vda / ext4 rw,relatime 0 0\n"
                + dev + " /mnt/my\\040disk\\011tab\\134x ext4 ro 0 0\n"
                + "systemd-1 /proc/sys/fs/binfmt_misc autofs rw,fd=29 0 0\n"
                + "bad line\n\n"
                + "server:/export /nonexistent/\\377dir nfs4 rw 0 0").getBytes(StandardCharsets.ISO_8859_1);
        Files.write(file, text);
        List<Map<String, Object>> r = generate(new MountsTable(file));
        assertThat(r).hasSize(4);
        assertThat(r.get(0)).containsEntry("device", "/dev/vda").containsEntry("path", "/").containsEntry("flags", "rw,relatime");
        assertThat(r.get(1)).containsEntry("path", "/mnt/my disk\ttab\\x").containsEntry("device_alias", dir.toRealPath().toString())
                .containsEntry("blocks", 0L);
        assertThat(r.get(2)).containsEntry("type", "autofs").containsEntry("device_alias", "systemd-1").containsEntry("blocks", 0L)
                .containsEntry("inodes", 0L);
        // not UTF-8: kept as bytes (generate decodes them for display, replacing the bad byte)
        assertThat((String) r.get(3).get("path")).startsWith("/nonexistent/").endsWith("dir");
        assertThat(MountsTable.textOrBytes(new byte[] {'/', (byte) 0xff})).isInstanceOf(byte[].class);
        byte[] line = "a\\040b c".getBytes(StandardCharsets.UTF_8);
        assertThat(MountsTable.fields(line, 0, line.length)).hasNumberOfRows(2);
    }
}
