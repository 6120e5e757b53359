package io.hostql.tables.system;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OsVersionTableTest {
    @Test
    void matchesOsReleaseAsTheShellReadsIt() {
        assumeTrue(Files.isReadable(Path.of("/etc/os-release")), "needs /etc/os-release");
        // The shell sources the file: an independent parser of the same KEY="value" syntax.
        String[] w = run("sh", "-c", ". /etc/os-release; printf '%s|%s|%s|%s|%s|%s|%s' \"$NAME\" \"$VERSION\" "
                + "\"$VERSION_ID\" \"$ID\" \"$ID_LIKE\" \"$VERSION_CODENAME\" \"$BUILD_ID\"").split("\\|", -1);
        Map<String, Object> r = rows("SELECT * FROM os_version").get(0);
        assertThat(r.get("name")).isEqualTo(w[0]);
        assertThat(r.get("version")).isEqualTo(w[1].isEmpty() ? null : w[1]);
        String[] v = w[2].split("\\.");
        assertThat(r.get("major")).isEqualTo(Long.parseLong(v[0]));
        assertThat(r.get("minor")).isEqualTo(v.length > 1 ? Long.parseLong(v[1]) : 0L);
        assertThat(r.get("platform")).isEqualTo(w[3]);
        assertThat(r.get("platform_like")).isEqualTo(w[4].isEmpty() ? null : w[4]);
        assertThat(r.get("codename")).isEqualTo(w[5].isEmpty() ? null : w[5]);
        assertThat(r.get("build")).isEqualTo(w[6].isEmpty() ? null : w[6]);
        assertThat(r.get("arch")).isEqualTo(run("uname", "-m").strip());
        assertThat(r).doesNotContainKey("pid_with_namespace"); // hidden from SELECT *
    }

    @Test
    void pidWithNamespaceReadsThatProcessMountNamespace() {
        long pid = ProcessHandle.current().pid();
        Map<String, Object> r = rows("SELECT name, pid_with_namespace, mount_namespace_id FROM os_version WHERE pid_with_namespace = ?", pid).get(0);
        assertThat(r.get("pid_with_namespace")).isEqualTo(pid);
        assertThat(r.get("mount_namespace_id")).isEqualTo(run("stat", "-L", "-c", "%i", "/proc/" + pid + "/ns/mnt").strip());
        assertThat(r.get("name")).isEqualTo(rows("SELECT name FROM os_version").get(0).get("name"));
        assertThat(rows("SELECT pid_with_namespace FROM os_version").get(0).get("pid_with_namespace")).isEqualTo(0L);
    }

    @Test
    void parsesTrickyOsRelease(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/os-release"), "# a comment = with equals\n\nNAME=\"Ubuntu\"\n"
                + "VERSION=\"22.04.3 LTS (Jammy Jellyfish)\"\nID=ubuntu\nID_LIKE='debian'\n  \nPRETTY_NAME=\"Ubuntu 22.04.3 LTS\"\n"
                + "VERSION_ID=\"22.04\"\nVERSION_CODENAME=jammy\nUBUNTU_CODENAME=jammy\nBUILD_ID=\"rolling\"\nBROKEN LINE\n");
        Map<String, Object> r = generate(new OsVersionTable(root, root.resolve("proc"))).get(0);
        assertThat(r).containsEntry("name", "Ubuntu").containsEntry("version", "22.04.3 LTS (Jammy Jellyfish)")
                .containsEntry("major", 22L).containsEntry("minor", 4L).containsEntry("patch", 0L)
                .containsEntry("platform", "ubuntu").containsEntry("platform_like", "debian")
                .containsEntry("codename", "jammy").containsEntry("build", "rolling").containsEntry("pid_with_namespace", 0L);
    }

    @Test
    void defaultsWithoutOsReleaseAndOldRedhatRelease(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Map<String, Object> r = generate(new OsVersionTable(root, root.resolve("proc"))).get(0);
        assertThat(r).containsEntry("name", "Unknown").containsEntry("major", 0L).containsEntry("platform", "posix");

        Files.writeString(root.resolve("etc/redhat-release"), "CentOS release 6.10   (Final)\n");
        List<Map<String, Object>> rows = generate(new OsVersionTable(root, root.resolve("proc")));
        assertThat(rows.get(0)).containsEntry("name", "CentOS").containsEntry("major", 6L).containsEntry("minor", 10L)
                .containsEntry("patch", 0L).containsEntry("platform", "rhel").containsEntry("platform_like", "rhel")
                .containsEntry("version", "CentOS release 6.10 (Final)");
    }
}
