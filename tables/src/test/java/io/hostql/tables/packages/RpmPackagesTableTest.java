package io.hostql.tables.packages;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.generateWhere;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.sql.Database;
import io.hostql.sql.table.TableRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RpmPackagesTableTest {
    /** Builds an exported rpm header (index + data store), as rpm stores it in rpmdb.sqlite. */
    static final class HeaderBuilder {
        private final List<int[]> index = new ArrayList<>();
        private final ByteArrayOutputStream data = new ByteArrayOutputStream();

        HeaderBuilder string(int tag, String value) {
            return strings(tag, 6, value);
        }

        HeaderBuilder strings(int tag, int type, String... values) {
            index.add(new int[] {tag, type, data.size(), values.length});
            for (String v : values) {
                byte[] b = v.getBytes(StandardCharsets.UTF_8);
                data.write(b, 0, b.length);
                data.write(0);
            }
            return this;
        }

        HeaderBuilder int32(int tag, long value) {
            while (data.size() % 4 != 0) data.write(0);
            index.add(new int[] {tag, 4, data.size(), 1});
            be(data, (int) value);
            return this;
        }

        HeaderBuilder int64(int tag, long value) {
            while (data.size() % 8 != 0) data.write(0);
            index.add(new int[] {tag, 5, data.size(), 1});
            be(data, (int) (value >>> 32));
            be(data, (int) value);
            return this;
        }

        byte[] build() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            be(out, index.size());
            be(out, data.size());
            for (int[] e : index) for (int v : e) be(out, v);
            byte[] d = data.toByteArray();
            out.write(d, 0, d.length);
            return out.toByteArray();
        }

        private static void be(ByteArrayOutputStream out, int v) {
            out.write(v >>> 24);
            out.write(v >>> 16);
            out.write(v >>> 8);
            out.write(v);
        }
    }

    private static Path rpmdb(Path dir, byte[]... headers) {
        Path db = dir.resolve("rpmdb.sqlite");
        try (Database d = Database.open(db.toString(), new TableRegistry())) {
            d.executeTrusted("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)");
            for (byte[] h : headers) d.queryTrusted("INSERT INTO Packages(blob) VALUES (?)", new io.hostql.sql.table.Blob(h));
        }
        return db;
    }

    @Test
    void readsHeadersFromSqliteRpmdb(@TempDir Path dir) throws Exception {
        byte[] bash = new HeaderBuilder()
                .string(RpmPackagesTable.TAG_SHA1HEADER, "0123456789abcdef0123456789abcdef01234567")
                .string(RpmPackagesTable.TAG_NAME, "bash").string(RpmPackagesTable.TAG_VERSION, "5.2.26")
                .string(RpmPackagesTable.TAG_RELEASE, "3.fc40").int32(RpmPackagesTable.TAG_EPOCH, 1)
                .int32(RpmPackagesTable.TAG_SIZE, 8_500_000).string(RpmPackagesTable.TAG_VENDOR, "Fedora Project")
                .strings(RpmPackagesTable.TAG_GROUP, 9, "Unspecified", "Nicht angegeben")
                .string(RpmPackagesTable.TAG_ARCH, "x86_64").string(RpmPackagesTable.TAG_SOURCERPM, "bash-5.2.26-3.fc40.src.rpm")
                // dribble entry appended at install time
                .int32(RpmPackagesTable.TAG_INSTALLTIME, 3_000_000_000L).build();
        byte[] big = new HeaderBuilder().string(RpmPackagesTable.TAG_NAME, "huge").string(RpmPackagesTable.TAG_VERSION, "1")
                .string(RpmPackagesTable.TAG_RELEASE, "1").int64(RpmPackagesTable.TAG_LONGSIZE, 5_000_000_000L).build();
        byte[] broken = {0, 0, 0, 9, 0, 0, 0, 9, 1, 2};
        RpmPackagesTable table = new RpmPackagesTable(rpmdb(dir, bash, big, broken));

        List<Map<String, Object>> out = generate(table);
        assertThat(out).hasSize(2);
        assertThat(out.get(0)).containsEntry("name", "bash").containsEntry("version", "5.2.26")
                .containsEntry("release", "3.fc40").containsEntry("epoch", 1L).containsEntry("size", 8_500_000L)
                .containsEntry("vendor", "Fedora Project").containsEntry("package_group", "Unspecified")
                .containsEntry("arch", "x86_64").containsEntry("source", "bash-5.2.26-3.fc40.src.rpm")
                .containsEntry("sha1", "0123456789abcdef0123456789abcdef01234567")
                .containsEntry("install_time", 3_000_000_000L);
        assertThat(out.get(1)).containsEntry("name", "huge").containsEntry("size", 5_000_000_000L)
                .containsEntry("epoch", null).containsEntry("arch", null);

        assertThat(generateWhere(table, "name", "huge")).extracting(r -> r.get("name")).containsExactly("huge");
    }

    @Test
    void noRpmDatabaseMeansNoRows(@TempDir Path dir) throws Exception {
        assertThat(generate(new RpmPackagesTable(dir.resolve("rpmdb.sqlite")))).isEmpty();
        if (!Files.exists(Path.of("/var/lib/rpm/rpmdb.sqlite")) && !Files.exists(Path.of("/usr/lib/sysimage/rpm/rpmdb.sqlite"))) {
            assertThat(rows("SELECT * FROM rpm_packages")).isEmpty();
        }
    }

    @Test
    void damagedDatabaseNamesTheFile(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("rpmdb.sqlite");
        Files.writeString(db, "this is not sqlite at all, just text long enough to be a header........................");
        RpmPackagesTable table = new RpmPackagesTable(db);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> generate(table))
                .hasMessageContaining(db.toString());
    }

    /**
     * Builds a package from the spec with rpmbuild and installs it (--justdb) into a database of
     * its own under dir, as rpm itself writes one; returns its rpmdb.sqlite (the test is skipped
     * when this rpm uses another backend).
     */
    static Path buildAndInstall(Path dir, String spec) throws Exception {
        Path top = dir.resolve("build");
        Path db = dir.resolve("db");
        Files.createDirectories(top.resolve("SPECS"));
        Files.writeString(top.resolve("SPECS/hq.spec"), spec);
        run("rpmbuild", "--define", "_topdir " + top, "--define", "_build_id_links none", "-bb", top.resolve("SPECS/hq.spec").toString());
        Path rpm;
        try (var s = Files.walk(top.resolve("RPMS"))) {
            rpm = s.filter(p -> p.toString().endsWith(".rpm")).findFirst().orElseThrow();
        }
        run("rpm", "--dbpath", db.toString(), "--initdb");
        run("rpm", "--dbpath", db.toString(), "-i", "--justdb", "--nodeps", "--nosignature", rpm.toString());
        Path sqlite = db.resolve("rpmdb.sqlite");
        Assumptions.assumeTrue(Files.exists(sqlite), "this rpm does not use the sqlite backend");
        return sqlite;
    }

    @Test
    void matchesRpmOnARealDatabase(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(hasCommand("rpm") && hasCommand("rpmbuild"), "needs rpm and rpmbuild (Debian package rpm) as the witness");
        Path sqlite = buildAndInstall(dir, String.join("\n",
                "Name: hostql-witness", "Version: 1.2.3", "Release: 4", "Epoch: 2", "Summary: witness",
                "License: MIT", "Vendor: hostql tests", "Group: Testing", "BuildArch: noarch",
                "%description", "witness", "%files", ""));
        Path db = sqlite.getParent();
        Set<String> expected = new TreeSet<>(List.of(run("rpm", "--dbpath", db.toString(), "-qa", "--qf",
                "%{NAME} %{VERSION} %{RELEASE} %{EPOCH} %{ARCH} %{SIZE} %{INSTALLTIME} %{VENDOR} %{GROUP} %{SOURCERPM} %{SHA1HEADER}\\n")
                .split("\n")));
        expected.remove("");
        Set<String> actual = generate(new RpmPackagesTable(sqlite)).stream()
                .map(r -> r.get("name") + " " + r.get("version") + " " + r.get("release") + " " + r.get("epoch") + " "
                        + r.get("arch") + " " + r.get("size") + " " + r.get("install_time") + " " + r.get("vendor") + " "
                        + r.get("package_group") + " " + r.get("source") + " " + r.get("sha1"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(actual).hasSize(1).isEqualTo(expected);
    }
}
