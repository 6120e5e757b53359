package io.hostql.tables.packages;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static io.hostql.tables.TableTests.write;
import static org.assertj.core.api.Assertions.assertThat;

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

class YumSourcesTableTest {
    private static Path tree(Path root) throws Exception {
        write(root.resolve("etc/yum.conf"), "[main]\ngpgcheck=1\nreposdir=/etc/yum.repos.d,/etc/extra.repos.d\n\n"
                + "[fromconf]\nname=From Conf\nbaseurl=http://127.0.0.1:9/conf\nenabled=0\n");
        write(root.resolve("etc/yum.repos.d/a.repo"), "# Fedora-style\n[base]\nname=Base OS\nbaseurl=http://127.0.0.1:9/base/\n"
                + "  http://127.0.0.1:9/mirror2/\nenabled=1\ngpgcheck=1\ngpgkey=file:///etc/pki/rpm-gpg/KEY\n\n"
                + "[updates]\nname=Updates\nmetalink=https://127.0.0.1:9/metalink?repo=u&arch=x\nenabled=0\n");
        write(root.resolve("etc/extra.repos.d/b.repo"), "; dnf comment\n[extras]\nname = Extras\nmirrorlist=http://127.0.0.1:9/ml\n");
        write(root.resolve("etc/yum.repos.d/not-a-repo.txt"), "[ignored]\nname=Ignored\n");
        return root;
    }

    @Test
    void readsYumConfAndRepoFiles(@TempDir Path root) throws Exception {
        List<Map<String, Object>> out = generate(new YumSourcesTable(tree(root)));
        assertThat(out).extracting(r -> r.get("name")).containsExactly("From Conf", "Base OS", "Updates", "Extras");
        assertThat(out.get(1)).containsEntry("baseurl", "http://127.0.0.1:9/base/\nhttp://127.0.0.1:9/mirror2/")
                .containsEntry("enabled", "1").containsEntry("gpgcheck", "1").containsEntry("gpgkey", "file:///etc/pki/rpm-gpg/KEY")
                .containsEntry("source", root.resolve("etc/yum.repos.d/a.repo").toString()).containsEntry("mirrorlist", null);
        assertThat(out.get(2)).containsEntry("metalink", "https://127.0.0.1:9/metalink?repo=u&arch=x").containsEntry("enabled", "0");
        assertThat(out.get(3)).containsEntry("mirrorlist", "http://127.0.0.1:9/ml").containsEntry("enabled", null);
    }

    /** The witness: dnf itself lists the same repositories, names and enabled states, offline (-C). */
    @Test
    void matchesDnfRepolist(@TempDir Path root) throws Exception {
        Assumptions.assumeTrue(hasCommand("dnf"), "needs dnf (Debian package dnf) as the witness");
        tree(root);
        String out = run("dnf", "-c", root.resolve("etc/yum.conf").toString(), "--installroot=" + root, "--releasever=12",
                "--setopt=reposdir=" + root.resolve("etc/yum.repos.d") + "," + root.resolve("etc/extra.repos.d"),
                "-C", "-q", "repolist", "--all");
        Set<String> expected = new TreeSet<>();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s{2,}");
            if (f.length < 3 || f[0].equals("repo id")) continue;
            expected.add(f[1] + "=" + f[2]);
        }
        assertThat(expected).hasSize(4);
        Set<String> actual = generate(new YumSourcesTable(root)).stream()
                .map(r -> r.get("name") + "=" + ("0".equals(r.get("enabled")) ? "disabled" : "enabled"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void absentOnThisHostIsEmptyNotAnError() {
        if (!Files.exists(Path.of("/etc/yum.conf")) && !Files.exists(Path.of("/etc/yum.repos.d"))) {
            assertThat(rows("SELECT * FROM yum_sources")).isEmpty();
        }
    }
}
