package io.hostql.tables.storage;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.generateWhere;
import static io.hostql.tables.TableTests.rows;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskEncryptionTableTest {
    @Test
    void everyBlockDeviceIsListedAndOnlyDmCryptIsEncrypted() throws Exception {
        Set<String> crypt = new HashSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/sys/block"), "dm-*")) {
            for (Path p : ds) {
                String uuid = Files.readString(p.resolve("dm/uuid")).strip();
                if (uuid.startsWith("CRYPT-LUKS") || uuid.startsWith("CRYPT-PLAIN")) crypt.add("/dev/" + p.getFileName());
            }
        }
        List<Map<String, Object>> r = rows("SELECT * FROM disk_encryption");
        Set<String> names = new HashSet<>();
        for (Map<String, Object> b : rows("SELECT name FROM block_devices")) names.add((String) b.get("name"));
        assertThat(r).extracting(m -> (String) m.get("name")).containsExactlyInAnyOrderElementsOf(names);
        for (Map<String, Object> m : r) {
            if (crypt.contains(m.get("name"))) {
                assertThat(m).containsEntry("encrypted", 1L).containsEntry("encryption_status", "encrypted");
            } else if (m.get("encrypted").equals(0L)) {
                assertThat(m).containsEntry("encryption_status", "not encrypted").containsEntry("type", null);
            }
        }
        if (crypt.isEmpty()) assertThat(r).allSatisfy(m -> assertThat(m).containsEntry("encrypted", 0L));
    }

    @Test
    void dmCryptAndWhatIsStackedOnItAreEncrypted(@TempDir Path dir) throws Exception {
        FakeBlockTree tree = new FakeBlockTree(dir);
        DiskEncryptionTable t = new DiskEncryptionTable(tree.table());
        Map<String, Map<String, Object>> r = new HashMap<>();
        for (Map<String, Object> row : generate(t)) r.put((String) row.get("name"), row);
        assertThat(r.get("/dev/dm-0")).containsEntry("encrypted", 1L).containsEntry("encryption_status", "encrypted")
                .containsEntry("type", "LUKS2-aes-xts-plain64");
        assertThat(r.get("/dev/dm-1")).containsEntry("encrypted", 1L).containsEntry("type", "LUKS2-aes-xts-plain64");
        // the LUKS container itself is not "encrypted" to osquery: its mapping is
        assertThat(r.get("/dev/sda2")).containsEntry("encrypted", 0L).containsEntry("encryption_status", "not encrypted")
                .containsEntry("uuid", "2e2b6f4a-b4e1-4f8e-9d0c-6bd3e2d1a0f1");
        assertThat(r.get("/dev/sda")).containsEntry("encrypted", 0L);
        assertThat(r.get("/dev/vdb")).containsEntry("encrypted", 0L).containsEntry("uuid", "0f0e-aa");
        assertThat(generateWhere(t, "name", "/dev/dm-1")).extracting(m -> m.get("type")).containsExactly("LUKS2-aes-xts-plain64");
    }

    @Test
    void cryptTypeFromDmUuid() {
        assertThat(DiskEncryptionTable.cryptType("CRYPT-LUKS1-abc-name")).isEqualTo("LUKS1");
        assertThat(DiskEncryptionTable.cryptType("CRYPT-PLAIN-swap")).isEqualTo("PLAIN");
        assertThat(DiskEncryptionTable.cryptType("CRYPT-VERITY-abc-root")).isNull();
        assertThat(DiskEncryptionTable.cryptType("LVM-abc")).isNull();
        assertThat(DiskEncryptionTable.cryptType(null)).isNull();
    }
}
