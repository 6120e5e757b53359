package io.hostql.tables.security;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kernel_keys against keyctl: a key the test adds to its user keyring is a row, as keyctl describes it. */
class KernelKeysTableTest {
    @Test
    void aKeyAddedWithKeyctlIsARow() throws Exception {
        Assumptions.assumeTrue(hasCommand("keyctl") && Files.exists(Path.of("/proc/keys")), "keyctl (keyutils) and /proc/keys");
        String name = "hostql-test-" + ProcessHandle.current().pid();
        String id = run("keyctl", "add", "user", name, "secret payload", "@u").strip();
        try {
            String serial = String.format("%08x", Long.parseLong(id));
            // keyctl rdescribe: type;uid;gid;perm;description
            String[] d = run("keyctl", "rdescribe", id).strip().split(";", 5);
            List<Map<String, Object>> r = rows("SELECT * FROM kernel_keys WHERE type = 'user' AND description LIKE ?", name + "%");
            assertThat(r).hasSize(1);
            assertThat(r.get(0)).containsEntry("serial_number", serial).containsEntry("type", d[0])
                    .containsEntry("uid", Long.parseLong(d[1])).containsEntry("gid", Long.parseLong(d[2]))
                    .containsEntry("permissions", d[3]).containsEntry("timeout", "perm")
                    // the summary of a user key is its payload's length, joined to the name as osquery does
                    .containsEntry("description", name + ":14");
            assertThat((String) r.get(0).get("flags")).startsWith("I");
            // the key is in the user keyring keyctl shows, and the join with users finds its owner
            assertThat(run("keyctl", "show", "@u")).contains(id.strip()).contains(name);
            assertThat(rows("SELECT u.username FROM kernel_keys k JOIN users u ON u.uid = k.uid WHERE k.serial_number = ?", serial))
                    .hasSize(1);
        } finally {
            run("keyctl", "unlink", id, "@u");
        }
        // the kernel's key collector removes an unlinked key shortly after
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!rows("SELECT * FROM kernel_keys WHERE description LIKE ?", name + "%").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(rows("SELECT * FROM kernel_keys WHERE description LIKE ?", name + "%")).isEmpty();
    }

    @Test
    void parsesProcKeysAsOsquery(@TempDir Path dir) throws Exception {
        Path keys = dir.resolve("keys");
        Files.writeString(keys, "0a66a3e4 I------     1 perm 0f0b0000     0     0 keyring   .blacklist: empty\n"
                + "14b86415 I--Q---     2  59m 0c030000  1000 65534 keyring   _uid.1000: 4\n"
                + "2b9c1b31 I--Q---     1 perm 3f010000     0     0 user      my key name: 5\n"
                + "garbage\n\n");
        List<Map<String, Object>> r = generate(new KernelKeysTable(keys));
        assertThat(r).hasSize(3);
        assertThat(r.get(0)).containsEntry("serial_number", "0a66a3e4").containsEntry("flags", "I------").containsEntry("usage", 1L)
                .containsEntry("timeout", "perm").containsEntry("permissions", "0f0b0000").containsEntry("uid", 0L)
                .containsEntry("gid", 0L).containsEntry("type", "keyring").containsEntry("description", ".blacklist:empty");
        assertThat(r.get(1)).containsEntry("usage", 2L).containsEntry("timeout", "59m").containsEntry("uid", 1000L)
                .containsEntry("gid", 65534L).containsEntry("description", "_uid.1000:4");
        assertThat(r.get(2)).containsEntry("description", "mykeyname:5");
        assertThat(generate(new KernelKeysTable(dir.resolve("missing")))).isEmpty();
    }
}
