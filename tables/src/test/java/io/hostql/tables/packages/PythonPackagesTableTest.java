package io.hostql.tables.packages;

import static io.hostql.tables.TableTests.generateWhere;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static io.hostql.tables.TableTests.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.tables.users.Passwd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PythonPackagesTableTest {
    @Test
    void readsSystemAndUserSitePackages(@TempDir Path root) throws Exception {
        Path site = root.resolve("usr/lib/python3/dist-packages");
        write(site.resolve("requests-2.31.0.dist-info/METADATA"), String.join("\n",
                "Metadata-Version: 2.1", "Name: requests", "Version: 2.31.0",
                "Summary: Python HTTP for Humans: the easy way", "Home-page: https://requests.readthedocs.io",
                "Author: Kenneth Reitz", "License: Apache 2.0", "", "Name: not-the-name", "License: body text"));
        write(site.resolve("modern-1.0.dist-info/METADATA"),
                "Metadata-Version: 2.4\r\nName: modern\r\nVersion: 1.0\r\nLicense-Expression: MIT\r\n\r\n");
        write(site.resolve("six-1.16.0.egg-info/PKG-INFO"), "Metadata-Version: 1.2\nName: six\nVersion: 1.16.0\nAuthor: \n");
        write(site.resolve("single-0.1.egg-info"), "Metadata-Version: 1.0\nName: single\nVersion: 0.1\n");
        Files.createDirectories(site.resolve("empty-0.dist-info"));
        Files.createDirectories(site.resolve("requests"));

        Path home = root.resolve("home/alice");
        write(home.resolve(".local/lib/python3.11/site-packages/userpkg-3.dist-info/METADATA"), "Name: userpkg\nVersion: 3\n");
        write(home.resolve(".pyenv/versions/3.12.1/lib/python3.12/site-packages/pyenvpkg-4.dist-info/METADATA"),
                "Name: pyenvpkg\nVersion: 4\n");
        Files.createSymbolicLink(home.resolve(".pyenv/versions/3.12"), home.resolve(".pyenv/versions/3.12.1"));

        PythonPackagesTable table = new PythonPackagesTable(List.of(root + "/usr/lib/python%/dist-packages"),
                uid -> uid == 1000 ? List.of(new Passwd.User("alice", 1000, 1000, "", home.toString(), "/bin/sh")) : List.of());
        List<Map<String, Object>> out = generateWhere(table, "uid", 1000L);
        assertThat(out).extracting(r -> r.get("name") + " " + r.get("version") + " " + r.get("uid"))
                .containsExactly("null null 0", "modern 1.0 0", "requests 2.31.0 0",
                        "single 0.1 0", "six 1.16.0 0", "pyenvpkg 4 1000", "userpkg 3 1000");
        Map<String, Object> req = out.get(2);
        assertThat(req).containsEntry("summary", "Python HTTP for Humans: the easy way").containsEntry("author", "Kenneth Reitz")
                .containsEntry("license", "Apache 2.0").containsEntry("directory", site.toString())
                .containsEntry("path", site.resolve("requests-2.31.0.dist-info").toString());
        assertThat(out.get(1)).containsEntry("license", "MIT");
        assertThat(out.get(4)).containsEntry("author", "");
        assertThat(out.get(5)).containsEntry("directory", home + "/.pyenv/versions/3.12.1/lib/python3.12/site-packages");

        // a directory constraint reads only that directory
        Path other = root.resolve("other");
        write(other.resolve("x-1.dist-info/METADATA"), "Name: x\nVersion: 1\n");
        assertThat(generateWhere(table, "directory", other.toString())).extracting(r -> r.get("name")).containsExactly("x");
    }

    @Test
    void debianDistPackagesMatchImportlibMetadata() {
        Path dist = Path.of("/usr/lib/python3/dist-packages");
        Assumptions.assumeTrue(Files.isDirectory(dist) && Files.isExecutable(Path.of("/usr/bin/python3")),
                "needs Debian's python3 as the witness");
        Set<String> expected = new TreeSet<>(List.of(run("/usr/bin/python3", "-c",
                "import importlib.metadata as m\n"
                        + "for d in m.distributions(path=['/usr/lib/python3/dist-packages']):\n"
                        + "    print(d.metadata['Name'], d.version)\n").split("\n")));
        expected.remove("");
        Set<String> actual = rows("SELECT name, version FROM python_packages WHERE directory = ?", dist.toString()).stream()
                .map(r -> r.get("name") + " " + r.get("version")).collect(Collectors.toCollection(TreeSet::new));
        assertThat(actual).isNotEmpty().isEqualTo(expected);
        // without a directory constraint the same packages are there, as uid 0
        Set<String> all = rows("SELECT name, version, directory FROM python_packages WHERE uid = 0").stream()
                .filter(r -> dist.toString().equals(r.get("directory"))).map(r -> r.get("name") + " " + r.get("version")).collect(Collectors.toCollection(TreeSet::new));
        assertThat(all).isEqualTo(expected);
    }
}
