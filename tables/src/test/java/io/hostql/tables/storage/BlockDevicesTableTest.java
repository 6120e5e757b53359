package io.hostql.tables.storage;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.generateWhere;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.isRoot;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockDevicesTableTest {
    @Test
    void matchesLsblk() throws Exception {
        assumeTrue(hasCommand("lsblk"), "lsblk (util-linux) is the witness");
        JsonNode devs = new ObjectMapper().readTree(run("lsblk", "-J", "-b", "-a", "-l",
                "-o", "NAME,SIZE,PKNAME,MODEL,VENDOR,UUID,FSTYPE,LABEL,LOG-SEC")).get("blockdevices");
        Map<String, Map<String, Object>> ours = new HashMap<>();
        for (Map<String, Object> r : rows("SELECT * FROM block_devices")) ours.put((String) r.get("name"), r);
        assertThat(devs).isNotEmpty();
        for (JsonNode d : devs) {
            String name = "/dev/" + d.get("name").asText();
            Map<String, Object> r = ours.get(name);
            assertThat(r).as(name).isNotNull();
            assertThat((Long) r.get("size") * 512).as(name + " size").isEqualTo(d.get("size").asLong());
            assertThat(r.get("block_size")).as(name + " block_size").isEqualTo(d.get("log-sec").asLong());
            assertThat(r.get("parent")).as(name + " parent").isEqualTo(d.get("pkname").isNull() ? null : "/dev/" + d.get("pkname").asText());
            for (String[] c : new String[][] {{"vendor", "vendor"}, {"model", "model"}, {"uuid", "uuid"}, {"type", "fstype"}, {"label", "label"}}) {
                if (!d.get(c[1]).isNull()) assertThat(r.get(c[0])).as(name + " " + c[0]).isEqualTo(d.get(c[1]).asText().strip());
            }
        }
    }

    @Test
    void loopDeviceWithExt4ShowsUpWithSizeUuidAndLabel(@TempDir Path dir) throws Exception {
        assumeTrue(isRoot(), "needs root: losetup attaches a loop device");
        assumeTrue(hasCommand("losetup") && hasCommand("mkfs.ext4") && hasCommand("blkid"), "needs losetup, mkfs.ext4, blkid");
        Path img = dir.resolve("disk.img");
        try (var f = new java.io.RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(8L << 20);
        }
        run("mkfs.ext4", "-q", "-L", "hqloop", img.toString());
        String loop = run("losetup", "-f", "--show", img.toString()).strip();
        assumeTrue(loop.startsWith("/dev/loop"), "losetup could not attach a loop device");
        try {
            List<Map<String, Object>> r = rows("SELECT * FROM block_devices WHERE name = ?", loop);
            assertThat(r).hasSize(1);
            assertThat(r.get(0)).containsEntry("size", (8L << 20) / 512).containsEntry("type", "ext4")
                    .containsEntry("label", "hqloop").containsEntry("parent", null)
                    .containsEntry("uuid", run("blkid", "-p", "-s", "UUID", "-o", "value", loop).strip());
            assertThat(r.get(0).get("block_size")).isEqualTo(Long.parseLong(run("blockdev", "--getss", loop).strip()));
        } finally {
            run("losetup", "-d", loop);
        }
    }

    @Test
    void fakeTreeParentsInheritanceAndUdevFallback(@TempDir Path dir) throws Exception {
        FakeBlockTree tree = new FakeBlockTree(dir);
        Map<String, Map<String, Object>> r = new HashMap<>();
        for (Map<String, Object> row : generate(tree.table())) r.put((String) row.get("name"), row);
        assertThat(r).containsOnlyKeys("/dev/sda", "/dev/sda1", "/dev/sda2", "/dev/dm-0", "/dev/dm-1", "/dev/nvme0n1",
                "/dev/loop0", "/dev/vdb");
        assertThat(r.get("/dev/sda")).containsEntry("model", "Samsung SSD 860").containsEntry("vendor", "ATA")
                .containsEntry("serial", "t10.ATA     Samsung SSD 860 S3Z9NB0K").containsEntry("size", 1000215216L)
                .containsEntry("block_size", 512L).containsEntry("parent", null);
        assertThat(r.get("/dev/sda2")).containsEntry("parent", "/dev/sda").containsEntry("model", "Samsung SSD 860")
                .containsEntry("block_size", 512L).containsEntry("type", "crypto_LUKS")
                .containsEntry("uuid", "2e2b6f4a-b4e1-4f8e-9d0c-6bd3e2d1a0f1").containsEntry("label", "cryptroot");
        assertThat(r.get("/dev/dm-0")).containsEntry("parent", "/dev/sda2").containsEntry("vendor", "ATA");
        assertThat(r.get("/dev/dm-1")).containsEntry("parent", "/dev/dm-0").containsEntry("model", "Samsung SSD 860");
        assertThat(r.get("/dev/nvme0n1")).containsEntry("parent", null).containsEntry("model", "WDC PC SN730")
                .containsEntry("serial", "2005AB4C1234").containsEntry("block_size", 4096L);
        assertThat(r.get("/dev/loop0")).containsEntry("size", 0L).containsEntry("type", null);
        assertThat(r.get("/dev/vdb")).containsEntry("vendor", "0x1af4").containsEntry("serial", "disk-serial-42")
                .containsEntry("type", "ext4").containsEntry("uuid", "0f0e-aa").containsEntry("label", "data");

        assertThat(generateWhere(tree.table(), "name", "/dev/dm-1")).extracting(m -> m.get("model"))
                .containsExactly("Samsung SSD 860");
    }
}
