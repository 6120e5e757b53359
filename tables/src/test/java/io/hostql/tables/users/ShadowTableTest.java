package io.hostql.tables.users;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.generateWhere;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.isRoot;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShadowTableTest {
    @Test
    void parsesShadowLikeGlibc(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("shadow");
        Files.writeString(f, String.join("\n",
                "# comment",
                "root:$y$j9T$abc$def:19500:0:99999:7:::",
                "  daemon:*:19500:0:99999:7:::",
                "locked:!$6$salt$hash:19000:1:90:14:30:20000:",
                "notset:!!:19000::::::",
                "empty::19000:0:99999:7:::",
                "old:$1$x$y:18000:0:99999",
                "flagged:$2b$10$zzz:1:2:3:4:5:6:7",
                "badnum:x:12a:0:99999:7:::",
                "tooshort:x:1:2",
                "",
                "last:$5$s$h:19600:0:99999:7:::"));
        List<Map<String, Object>> r = generate(new ShadowTable(f));
        assertThat(r).extracting(m -> m.get("username"))
                .containsExactly("root", "daemon", "locked", "notset", "empty", "old", "flagged", "last");
        Map<String, Map<String, Object>> by = new HashMap<>();
        r.forEach(m -> by.put((String) m.get("username"), m));
        assertThat(by.get("root")).containsEntry("password_status", "active").containsEntry("hash_alg", "y")
                .containsEntry("last_change", 19500L).containsEntry("min", 0L).containsEntry("max", 99999L)
                .containsEntry("warning", 7L).containsEntry("inactive", -1L).containsEntry("expire", -1L).containsEntry("flag", null);
        assertThat(by.get("daemon")).containsEntry("password_status", "locked").containsEntry("hash_alg", null);
        assertThat(by.get("locked")).containsEntry("password_status", "locked").containsEntry("hash_alg", null)
                .containsEntry("inactive", 30L).containsEntry("expire", 20000L);
        assertThat(by.get("notset")).containsEntry("password_status", "not_set").containsEntry("min", -1L).containsEntry("max", -1L);
        assertThat(by.get("empty")).containsEntry("password_status", "empty");
        assertThat(by.get("old")).containsEntry("hash_alg", "1").containsEntry("warning", -1L).containsEntry("flag", null);
        assertThat(by.get("flagged")).containsEntry("hash_alg", "2b").containsEntry("flag", 7L);
        assertThat(generateWhere(new ShadowTable(f), "username", "last")).extracting(m -> m.get("hash_alg")).containsExactly("5");
    }

    @Test
    void missingShadowHasNoRows(@TempDir Path dir) throws Exception {
        assertThat(generate(new ShadowTable(dir.resolve("none")))).isEmpty();
    }

    @Test
    void realShadowMatchesGetentAndPasswdStatus() {
        Assumptions.assumeTrue(isRoot(), "needs root: /etc/shadow is readable by root only");
        Assumptions.assumeTrue(hasCommand("passwd"), "passwd -S is the status witness");
        Map<String, Map<String, Object>> by = new HashMap<>();
        rows("SELECT * FROM shadow").forEach(m -> by.put((String) m.get("username"), m));
        List<String> getent = Arrays.stream(run("getent", "-s", "files", "shadow").split("\n")).filter(l -> !l.isBlank()).toList();
        assertThat(by).hasSize(getent.size());
        String[] cols = {"last_change", "min", "max", "warning", "inactive", "expire"};
        for (String line : getent) {
            String[] f = line.split(":", -1);
            Map<String, Object> row = by.get(f[0]);
            assertThat(row).as(f[0]).isNotNull();
            for (int i = 0; i < cols.length; i++) {
                long expected = f[2 + i].isEmpty() ? -1 : Long.parseLong(f[2 + i]);
                assertThat(row.get(cols[i])).as(f[0] + " " + cols[i]).isEqualTo(expected);
            }
            // passwd -S: P usable, L locked, NP no password
            String status = run("passwd", "-S", f[0]).split("\\s+")[1];
            String expected = switch (status) {
                case "P" -> "active";
                case "NP" -> "empty";
                default -> f[1].equals("!!") ? "not_set" : "locked";
            };
            assertThat(row.get("password_status")).as(f[0] + " status").isEqualTo(expected);
        }
        assertThat(rows("SELECT username FROM shadow WHERE username = 'root'")).hasSize(1);
    }
}
