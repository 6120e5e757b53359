package io.hostql.tables.packages;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.rows;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AptSourcesTableTest {
    private static final String RELEASE = String.join("\n",
            "-----BEGIN PGP SIGNED MESSAGE-----", "Hash: SHA256", "",
            "Origin: Debian", "Label: Debian", "Suite: stable", "Version: 12.5", "Codename: bookworm",
            "Date: Sat, 10 Feb 2024 09:00:00 UTC",
            "Architectures: all amd64 arm64", "Components: main contrib non-free-firmware non-free",
            "MD5Sum:", " 0ed6d4c8891eb86358b94bb35d9e4da4  1484322 Codename: fake/Contents-all",
            "-----BEGIN PGP SIGNATURE-----", "Origin: not this", "");

    @Test
    void parsesOneLineAndDeb822SourcesWithReleaseFiles(@TempDir Path dir) throws Exception {
        Path etc = Files.createDirectories(dir.resolve("etc/apt"));
        Path d = Files.createDirectories(etc.resolve("sources.list.d"));
        Path lists = Files.createDirectories(dir.resolve("lists"));
        Files.writeString(etc.resolve("sources.list"), String.join("\n",
                "# a comment line",
                "   ",
                "deb http://deb.debian.org/debian/ bookworm main contrib # trailing comment",
                "deb-src http://deb.debian.org/debian bookworm main",
                "#deb http://commented.example.org/debian bookworm main",
                "deb [arch=amd64 signed-by=/usr/share/keyrings/x.gpg] https://user:pw@repo.example.com:8443/apt_repo stable main",
                "deb [ arch=amd64,arm64 ] http://flat.example.org/repo ./",
                "deb http://incomplete.example.org",
                "deb not-a-uri bookworm main",
                ""));
        Files.writeString(d.resolve("extra.list"), "\tdeb\thttp://extra.example.org/debian   bookworm-backports   main\n");
        Files.writeString(d.resolve("ignored.list.disabled"), "deb http://ignored.example.org/debian bookworm main\n");
        Files.writeString(d.resolve("debian.sources"), String.join("\n",
                "Types: deb deb-src",
                "# comment inside a stanza",
                "URIs: http://deb.debian.org/debian https://mirror.example.net/debian/",
                "Suites: bookworm",
                " bookworm-updates",
                "Components: main",
                "Signed-By:",
                " -----BEGIN PGP PUBLIC KEY BLOCK-----",
                " Version: fake",
                " .",
                " -----END PGP PUBLIC KEY BLOCK-----",
                "",
                "Types: deb-src",
                "URIs: http://src-only.example.org/debian",
                "Suites: bookworm",
                "",
                "Types: deb",
                "URIs: http://off.example.org/debian",
                "Suites: bookworm",
                "Enabled: no",
                "",
                "Types: deb",
                "URIs: http://on.example.org/debian",
                "Suites: sid",
                "Enabled: yes",
                ""));
        Files.writeString(lists.resolve("deb.debian.org_debian_dists_bookworm_InRelease"), RELEASE);
        Files.writeString(lists.resolve("repo.example.com:8443_apt%5frepo_dists_stable_Release"),
                "Origin: Example\nCodename: stable\nVersion: 3\n");

        AptSourcesTable table = new AptSourcesTable(etc, lists);
        List<Map<String, Object>> out = generate(table);
        assertThat(out).extracting(r -> r.get("name") + "|" + r.get("base_uri") + "|" + Path.of((String) r.get("source")).getFileName())
                .containsExactly(
                        "deb.debian.org/debian bookworm|http://deb.debian.org/debian|sources.list",
                        "user:pw@repo.example.com:8443/apt_repo stable|https://user:pw@repo.example.com:8443/apt_repo|sources.list",
                        "flat.example.org/repo ./|http://flat.example.org/repo|sources.list",
                        "extra.example.org/debian bookworm-backports|http://extra.example.org/debian|extra.list",
                        "deb.debian.org/debian bookworm|http://deb.debian.org/debian|debian.sources",
                        "deb.debian.org/debian bookworm-updates|http://deb.debian.org/debian|debian.sources",
                        "mirror.example.net/debian bookworm|https://mirror.example.net/debian|debian.sources",
                        "mirror.example.net/debian bookworm-updates|https://mirror.example.net/debian|debian.sources",
                        "on.example.org/debian sid|http://on.example.org/debian|debian.sources");
        assertThat(out.get(0)).containsEntry("release", "bookworm").containsEntry("version", "12.5")
                .containsEntry("maintainer", "Debian").containsEntry("components", "main contrib non-free-firmware non-free")
                .containsEntry("architectures", "all amd64 arm64");
        assertThat(out.get(1)).containsEntry("maintainer", "Example").containsEntry("release", "stable")
                .containsEntry("components", null);
        assertThat(out.get(3)).containsEntry("release", null).containsEntry("version", null);
        assertThat(out.get(4)).containsEntry("version", "12.5");
    }

    @Test
    void escapesUrisLikeApt() {
        assertThat(AptSourcesTable.uriToFileName("http://deb.debian.org/debian/dists/bookworm/"))
                .isEqualTo("deb.debian.org_debian_dists_bookworm_");
        assertThat(AptSourcesTable.uriToFileName("https://u:p@h.example:81/a_b~c/dists/x/"))
                .isEqualTo("h.example:81_a%5fb%7ec_dists_x_");
    }

    @Test
    void realHostSourcesMatchTheConfiguredDebLines() throws Exception {
        Path etc = Path.of("/etc/apt");
        Assumptions.assumeTrue(Files.isDirectory(etc), "needs an apt host");
        // witness: the deb URIs and suites apt itself prints for its configured sources
        Assumptions.assumeTrue(io.hostql.tables.TableTests.hasCommand("apt-get"), "needs apt-get as the witness");
        List<Map<String, Object>> out = rows("SELECT name, base_uri, release, version FROM apt_sources");
        java.util.Set<String> expected = new java.util.TreeSet<>();
        for (String line : io.hostql.tables.TableTests.run("apt-get", "indextargets", "--format", "$(REPO_URI) $(RELEASE)",
                "Created-By: Packages").split("\n")) {
            if (line.isBlank()) continue;
            String[] f = line.split(" ");
            String uri = f[0].replaceAll("/+$", "");
            expected.add(uri.substring(uri.indexOf("://") + 3) + " " + f[1]);
        }
        java.util.Set<String> actual = out.stream().map(r -> (String) r.get("name"))
                .collect(Collectors.toCollection(java.util.TreeSet::new));
        assertThat(actual).isEqualTo(expected);
        for (Map<String, Object> r : out) {
            String n = (String) r.get("name");
            Path release = Path.of("/var/lib/apt/lists", AptSourcesTable.uriToFileName(
                    r.get("base_uri") + "/dists/" + n.substring(n.indexOf(' ') + 1) + "/") + "InRelease");
            if (Files.exists(release)) assertThat(r.get("release")).as(n).isNotNull();
        }
    }
}
