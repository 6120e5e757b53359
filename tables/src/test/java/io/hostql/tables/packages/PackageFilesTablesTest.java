package io.hostql.tables.packages;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.generateWhere;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static io.hostql.tables.TableTests.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.tables.files.FileStat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageFilesTablesTest {
    private static Set<String> lines(String s) {
        return Arrays.stream(s.split("\n")).filter(l -> !l.isEmpty()).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The witness: dpkg -L, for a plain package and a Multi-Arch: same one (info/PKG:ARCH.list). */
    @Test
    void matchesDpkgListOnThisHost() throws Exception {
        Assumptions.assumeTrue(hasCommand("dpkg") && Files.isDirectory(Path.of("/var/lib/dpkg/info")), "needs dpkg and its database");
        for (String pkg : List.of("dpkg", "libc6")) {
            Set<String> expected = lines(run("dpkg", "-L", pkg));
            assertThat(expected).as("dpkg -L " + pkg).isNotEmpty();
            Set<String> actual = rows("SELECT path FROM deb_package_files WHERE package = ?", pkg).stream()
                    .map(r -> (String) r.get("path")).collect(Collectors.toCollection(TreeSet::new));
            assertThat(actual).as(pkg).isEqualTo(expected);
        }
        assertThat(rows("SELECT package FROM deb_package_files WHERE path = '/usr/bin/dpkg'"))
                .extracting(r -> r.get("package")).containsExactly("dpkg");
    }

    @Test
    void admindirConstraintReadsAnotherDatabase(@TempDir Path dir) throws Exception {
        write(dir.resolve("status"), "Package: hq\nStatus: install ok installed\nArchitecture: all\nVersion: 1\n\n"
                + "Package: gone\nStatus: deinstall ok not-installed\nArchitecture: all\n\n"
                + "Package: multi\nStatus: install ok installed\nArchitecture: amd64\nMulti-Arch: same\nVersion: 2\n");
        write(dir.resolve("info/hq.list"), "/.\n/usr\n/usr/bin/hq\n");
        write(dir.resolve("info/gone.list"), "/usr/bin/gone\n");
        write(dir.resolve("info/multi:amd64.list"), "/usr/lib/libmulti.so\n");
        DebPackageFilesTable table = new DebPackageFilesTable(dir.toString());
        assertThat(generate(table)).extracting(r -> r.get("package") + " " + r.get("path") + " " + r.get("admindir"))
                .containsExactly("hq /. " + dir, "hq /usr " + dir, "hq /usr/bin/hq " + dir, "multi /usr/lib/libmulti.so " + dir);
        assertThat(generateWhere(new DebPackageFilesTable("/nonexistent"), "admindir", dir.toString(), "package", "multi"))
                .extracting(r -> r.get("path")).containsExactly("/usr/lib/libmulti.so");
        assertThat(generate(new DebPackageFilesTable(dir.resolve("missing").toString()))).isEmpty();
    }

    /** The witness: rpm -ql --dump over a database rpm itself made from a package rpmbuild built. */
    @Test
    void matchesRpmDumpOnARealDatabase(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(hasCommand("rpm") && hasCommand("rpmbuild"), "needs rpm and rpmbuild (Debian package rpm) as the witness");
        Path sqlite = RpmPackagesTableTest.buildAndInstall(dir, String.join("\n",
                "Name: hostql-files", "Version: 1.0", "Release: 1", "Summary: witness", "License: MIT", "BuildArch: noarch",
                "%description", "witness",
                "%install",
                "mkdir -p %{buildroot}/opt/hq/bin %{buildroot}/etc/hq",
                "printf '#!/bin/sh\\necho hi\\n' > %{buildroot}/opt/hq/bin/hq",
                "chmod 4755 %{buildroot}/opt/hq/bin/hq",
                "printf 'a=1\\n' > %{buildroot}/etc/hq/hq.conf",
                "ln -s bin/hq %{buildroot}/opt/hq/link",
                "%files",
                "%dir /opt/hq", "/opt/hq/bin", "/opt/hq/link", "%attr(0640,root,adm) %config /etc/hq/hq.conf", ""));
        Path db = sqlite.getParent();

        // path size mtime digest mode owner group isconfig isdoc rdev symlink
        Set<String> expected = new TreeSet<>();
        for (String line : lines(run("rpm", "--dbpath", db.toString(), "-ql", "--dump", "hostql-files"))) {
            String[] f = line.split(" ");
            String digest = f[3].matches("0+") ? "" : f[3];
            expected.add(f[0] + " " + f[1] + " " + digest + " " + FileStat.lsperms(Integer.parseInt(f[4], 8)) + " " + f[5] + " " + f[6]);
        }
        assertThat(expected).hasSize(5);
        List<Map<String, Object>> out = generateWhere(new RpmPackageFilesTable(List.of(sqlite)), "package", "hostql-files");
        Set<String> actual = out.stream().map(r -> r.get("path") + " " + r.get("size") + " " + r.get("sha256") + " " + r.get("mode")
                + " " + r.get("username") + " " + r.get("groupname")).collect(Collectors.toCollection(TreeSet::new));
        assertThat(actual).isEqualTo(expected);
        assertThat(out).filteredOn(r -> "/opt/hq/bin/hq".equals(r.get("path"))).extracting(r -> r.get("mode")).containsExactly("4755");
        assertThat(generateWhere(new RpmPackageFilesTable(List.of(sqlite)), "package", "other")).isEmpty();
    }

    @Test
    void noRpmDatabaseMeansNoRows(@TempDir Path dir) throws Exception {
        assertThat(generate(new RpmPackageFilesTable(List.of(dir.resolve("rpmdb.sqlite"))))).isEmpty();
        if (RpmPackagesTable.database(RpmPackagesTable.DEFAULT_DBS) == null) assertThat(rows("SELECT * FROM rpm_package_files")).isEmpty();
    }
}
