package io.hostql.tables.users;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.rows;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SudoersTableTest {
    @Test
    void readsRulesAndFollowsIncludes(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("sudoers");
        Files.createDirectories(dir.resolve("sudoers.d"));
        Files.createDirectories(dir.resolve("extra"));
        Files.writeString(root, String.join("\n",
                "# This file MUST be edited with the 'visudo' command as root.",
                "Defaults\tenv_reset",
                "Defaults   secure_path=\"/usr/sbin:/usr/bin\"   ",
                "",
                "   root ALL=(ALL:ALL) ALL",
                "%admin ALL=(ALL) \\",
                "    NOPASSWD: \\",
                "",
                "    ALL",
                "Cmnd_Alias\\",
                "  SHUTDOWN = /sbin/shutdown",
                "@include extra/more",
                "#include",
                "@includedir sudoers.d",
                "#includedir /nonexistent/dir",
                "bob ALL=(ALL) /bin/ls # trailing comment kept as osquery keeps it",
                "@include /nonexistent/file"));
        Files.writeString(dir.resolve("extra/more"), "alice ALL=(ALL) ALL\n");
        Files.writeString(dir.resolve("sudoers.d/20-b"), "carol ALL=(ALL) NOPASSWD: ALL\n");
        Files.writeString(dir.resolve("sudoers.d/10-a"), "dave ALL=(ALL) ALL\n#includedir ../sudoers.d-never\n");
        Files.writeString(dir.resolve("sudoers.d/README"), "# comment only\n");
        Files.writeString(dir.resolve("sudoers.d/skip.conf"), "eve ALL=(ALL) ALL\n");
        Files.writeString(dir.resolve("sudoers.d/backup~"), "mallory ALL=(ALL) ALL\n");

        List<Map<String, Object>> r = generate(new SudoersTable(root));
        assertThat(r).extracting(m -> m.get("header") + "|" + m.get("rule_details")).containsExactly(
                "Defaults|env_reset",
                "Defaults|secure_path=\"/usr/sbin:/usr/bin\"",
                "root|ALL=(ALL:ALL) ALL",
                "%admin|ALL=(ALL) NOPASSWD: ALL",
                "Cmnd_Alias|SHUTDOWN = /sbin/shutdown",
                "@include|extra/more",
                "alice|ALL=(ALL) ALL",
                "@includedir|sudoers.d",
                "dave|ALL=(ALL) ALL",
                "#includedir|../sudoers.d-never",
                "carol|ALL=(ALL) NOPASSWD: ALL",
                "#includedir|/nonexistent/dir",
                "bob|ALL=(ALL) /bin/ls # trailing comment kept as osquery keeps it",
                "@include|/nonexistent/file");
        assertThat(r.get(6)).containsEntry("source", dir.resolve("extra/more").toString());
        assertThat(r.get(8)).containsEntry("source", dir.resolve("sudoers.d/10-a").toString());
        assertThat(r.get(0)).containsEntry("source", root.toString());
    }

    @Test
    void selfIncludeStopsAtTheNestingLimit(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("sudoers");
        Files.writeString(root, "root ALL=(ALL) ALL\n@include sudoers\n");
        assertThat(generate(new SudoersTable(root))).hasSize(2 * 128);
    }

    @Test
    void realSudoersIsReadWhenPresent() throws Exception {
        Path f = Path.of("/etc/sudoers");
        List<Map<String, Object>> r = rows("SELECT source, header, rule_details FROM sudoers");
        if (!Files.isReadable(f)) {
            assertThat(r).as("no /etc/sudoers on this host").isEmpty();
            return;
        }
        // every uncommented, unindented rule line of the main file shows up with its header
        for (String line : Files.readAllLines(f)) {
            String t = line.strip();
            if (t.isEmpty() || t.endsWith("\\") || (t.startsWith("#") && !t.startsWith("#include"))) continue;
            String header = t.split("[ \\t]+", 2)[0];
            assertThat(r).anySatisfy(m -> assertThat(m).containsEntry("source", "/etc/sudoers").containsEntry("header", header));
        }
    }
}
