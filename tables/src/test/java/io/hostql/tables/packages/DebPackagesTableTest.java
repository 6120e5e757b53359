package io.hostql.tables.packages;

import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DebPackagesTableTest {
    @Test
    void sameNameVersionArchSetAsDpkgQuery() {
        Assumptions.assumeTrue(hasCommand("dpkg-query"), "needs dpkg-query as the witness");
        Set<String> expected = new TreeSet<>(List.of(
                run("dpkg-query", "-W", "-f=${Package} ${Version} ${Architecture}\\n").split("\n")));
        expected.remove("");
        Set<String> actual = rows("SELECT name, version, arch FROM deb_packages").stream()
                .map(r -> r.get("name") + " " + r.get("version") + " " + r.get("arch"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(actual).isNotEmpty().isEqualTo(expected);
    }

    @Test
    void otherColumnsMatchDpkgQuery() {
        Assumptions.assumeTrue(hasCommand("dpkg-query"), "needs dpkg-query as the witness");
        Map<String, String> expected = new HashMap<>();
        for (String line : run("dpkg-query", "-W",
                "-f=${Package}:${Architecture}\\t${Status}\\t${Installed-Size}\\t${Section}\\t${Priority}\\t${Source}\\t${Maintainer}\\n")
                .split("\n")) {
            if (line.isEmpty()) continue;
            int tab = line.indexOf('\t');
            expected.put(line.substring(0, tab), line.substring(tab + 1));
        }
        List<Map<String, Object>> actual = rows(
                "SELECT name, arch, status, size, section, priority, source, maintainer, revision, version, admindir FROM deb_packages");
        assertThat(actual).hasSize(expected.size());
        for (Map<String, Object> r : actual) {
            String priority = (String) r.get("priority");
            String line = r.get("status") + "\t" + str(r.get("size")) + "\t" + str(r.get("section")) + "\t"
                    + (priority.equals("unknown") ? "" : priority) + "\t" + str(r.get("source")) + "\t" + str(r.get("maintainer"));
            assertThat(line).as((String) r.get("name")).isEqualTo(expected.get(r.get("name") + ":" + r.get("arch")));
            String version = (String) r.get("version");
            String revision = (String) r.get("revision");
            assertThat(version).endsWith(revision.isEmpty() ? "" : "-" + revision);
            assertThat(r.get("admindir")).isEqualTo("/var/lib/dpkg");
        }
    }

    private static String str(Object o) {
        return o == null ? "" : o.toString();
    }

    @Test
    void parsesTrickyStatusFileAndUpdatesJournal(@TempDir Path admin) throws Exception {
        Files.writeString(admin.resolve("status"), String.join("\n",
                "Package: alpha",
                "Status: install ok installed",
                "Priority: optional",
                "Section: utils",
                "Installed-Size: 120",
                "Maintainer: Jöhn Doe <j@example.org>",
                "Architecture: amd64",
                "Source: alpha-src (1.0-1)",
                "Version: 1:2.0-3+deb12u1",
                "Description: first",
                " continuation: Package: not-a-field",
                " .",
                "",
                "",
                "Package: gone",
                "Status: purge ok not-installed",
                "Architecture: amd64",
                "",
                "Package: leftover",
                "Status: deinstall ok config-files",
                "Architecture: all",
                "Version: 0:1.5",
                "",
                "Package: beta",
                "Status: install ok installed",
                "Architecture: i386",
                "Version: 2.1-1",
                "Installed-Size:   77   ",
                "") + "\n");
        Files.createDirectories(admin.resolve("updates"));
        Files.writeString(admin.resolve("updates/0001"),
                "Package: beta\nStatus: install ok unpacked\nArchitecture: i386\nVersion: 2.2-1\n\n");
        Files.writeString(admin.resolve("updates/tmp.i"), "Package: ignored\nStatus: install ok installed\n");

        List<Map<String, Object>> out = rows("SELECT * FROM deb_packages WHERE admindir = ? ORDER BY name", admin.toString());
        assertThat(out).extracting(r -> r.get("name")).containsExactly("alpha", "beta", "leftover");
        Map<String, Object> alpha = out.get(0);
        assertThat(alpha).containsEntry("version", "1:2.0-3+deb12u1").containsEntry("revision", "3+deb12u1")
                .containsEntry("size", 120L).containsEntry("arch", "amd64").containsEntry("source", "alpha-src (1.0-1)")
                .containsEntry("status", "install ok installed").containsEntry("maintainer", "Jöhn Doe <j@example.org>")
                .containsEntry("section", "utils").containsEntry("priority", "optional")
                .containsEntry("admindir", admin.toString());
        assertThat(out.get(1)).containsEntry("version", "2.2-1").containsEntry("status", "install ok unpacked")
                .containsEntry("size", null).containsEntry("priority", "unknown");
        assertThat(out.get(2)).containsEntry("version", "1.5").containsEntry("revision", "")
                .containsEntry("status", "deinstall ok config-files").containsEntry("section", null);
    }

    @Test
    void missingAdmindirIsEmptyNotAnError(@TempDir Path dir) {
        assertThat(rows("SELECT * FROM deb_packages WHERE admindir = ?", dir.resolve("nope").toString())).isEmpty();
    }
}
