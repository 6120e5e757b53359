package io.hostql.tables.addons;

import static io.hostql.tables.TableTests.homeUid;
import static io.hostql.tables.TableTests.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.config.Settings;
import io.hostql.sql.Database;
import io.hostql.sql.QueryResult;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableRegistry;
import io.hostql.tables.LinuxTables;
import io.hostql.tables.TableTests;
import io.hostql.tables.packages.PackageTablesForTests;
import io.hostql.tables.users.UsersTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queries Fleet and osquery's packs send to the inventory tables, written here as they send
 * them: Fleet's software UNION (users joined in), joins with users and processes, LIKE and
 * uid/package constraints. The engine has every table, with users, the browser and editor tables
 * and portage reading a test tree (two users, a Chromium profile, a Firefox profile, a VS Code and
 * a Gentoo package database); the rest read this host.
 */
class SoftwareInventoryQueriesTest {
    @TempDir
    static Path dir;
    static Database db;
    static Path homeA;
    static Path homeB;

    @BeforeAll
    static void engine() throws Exception {
        // Two users' homes: the tables read a home's files only when that user (or root) owns them, and only root can
        // create files for a second uid.
        org.junit.jupiter.api.Assumptions.assumeTrue(io.hostql.tables.TableTests.isRoot(),
                "needs root: the test's two users own their homes' files, and only root can create files for another uid");
        homeA = Files.createDirectories(dir.resolve("a")).toRealPath();
        homeB = Files.createDirectories(dir.resolve("b")).toRealPath();
        Path passwd = AddonTrees.passwd(dir, homeA, homeB);
        ChromeExtensionsTableTest.writeExtension(homeA.resolve(".config/chromium/Default/Extensions/abcdefghijklmnopabcdefghijklmnop/1.2.3_0"), null);
        write(homeA.resolve(".config/chromium/Default/Preferences"), "{\"profile\": {\"name\": \"Person 1\"}, \"extensions\": {\"settings\":"
                + " {\"abcdefghijklmnopabcdefghijklmnop\": {\"path\": \"abcdefghijklmnopabcdefghijklmnop/1.2.3_0\", \"from_webstore\": true}}}}");
        write(homeB.resolve(".mozilla/firefox/x.default/extensions.json"), "{\"addons\": [{\"id\": \"uBlock0@raymondhill.net\","
                + " \"version\": \"1.67.0\", \"type\": \"extension\", \"active\": true, \"location\": \"app-system-share\","
                + " \"path\": \"/usr/share/mozilla/extensions/x/uBlock0@raymondhill.net\", \"defaultLocale\": {\"name\": \"uBlock Origin\"}}]}");
        write(homeB.resolve(".vscode/extensions/extensions.json"), "[{\"identifier\": {\"id\": \"golang.go\"}, \"version\": \"0.41.0\","
                + " \"location\": {\"path\": \"" + homeB + "/.vscode/extensions/golang.go-0.41.0\"}, \"metadata\": {}}]");
        Path gentoo = dir.resolve("gentoo");
        write(gentoo.resolve("var/db/pkg/app-editors/vim-9.1.0/SLOT"), "0\n");
        write(gentoo.resolve("var/lib/portage/world"), "app-editors/vim\n");

        List<Table> ours = new ArrayList<>(List.of(new UsersTable(passwd), new ChromeExtensionsTable(passwd),
                new ChromeExtensionContentScriptsTable(passwd), new FirefoxAddonsTable(passwd), new VscodeExtensionsTable(passwd),
                new JetbrainsPluginsTable(passwd)));
        ours.addAll(PackageTablesForTests.portage(gentoo));
        TableRegistry registry = new TableRegistry();
        ours.forEach(registry::add);
        for (Table t : LinuxTables.all(Settings.defaults())) {
            if (registry.get(t.schema().name()) == null) registry.add(t);
        }
        db = Database.open(registry);
    }

    @AfterAll
    static void close() {
        if (db != null) db.close();
    }

    static List<Map<String, Object>> rows(String sql, Object... params) {
        QueryResult r = db.query(sql, params);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object[] row : r.rows()) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            for (int i = 0; i < row.length; i++) m.put(r.columns().get(i), row[i]);
            out.add(m);
        }
        return out;
    }

    /** Fleet's software_linux detail query (its users CTE without the Windows-only users.type filter). */
    static final String FLEET_SOFTWARE_LINUX = """
            WITH cached_users AS (WITH cached_groups AS (select * from groups)
             SELECT uid, username, groupname, shell
             FROM users LEFT JOIN cached_groups USING (gid)
             WHERE shell NOT LIKE '%/false' AND shell NOT LIKE '%/nologin' AND shell NOT LIKE '%/shutdown'
               AND shell NOT LIKE '%/halt' AND username NOT LIKE '%$' AND username NOT LIKE '\\_%' ESCAPE '\\'
               AND NOT (username = 'sync' AND shell ='/bin/sync' AND directory <> ''))
            SELECT name AS name, version AS version, 'Package (deb)' AS type, '' AS extension_id, '' AS browser,
              'deb_packages' AS source, '' AS release, '' AS vendor, '' AS arch, '' AS installed_path
            FROM deb_packages WHERE status LIKE '% ok installed'
            UNION
            SELECT package AS name, version AS version, 'Package (Portage)' AS type, '' AS extension_id, '' AS browser,
              'portage_packages' AS source, '' AS release, '' AS vendor, '' AS arch, '' AS installed_path
            FROM portage_packages
            UNION
            SELECT name AS name, version AS version, 'Package (RPM)' AS type, '' AS extension_id, '' AS browser,
              'rpm_packages' AS source, release AS release, vendor AS vendor, arch AS arch, '' AS installed_path
            FROM rpm_packages
            UNION
            SELECT name AS name, version AS version, 'Package (NPM)' AS type, '' AS extension_id, '' AS browser,
              'npm_packages' AS source, '' AS release, '' AS vendor, '' AS arch, path AS installed_path
            FROM npm_packages
            UNION
            SELECT name AS name, version AS version, 'Browser plugin (Chrome)' AS type, identifier AS extension_id,
              browser_type AS browser, 'chrome_extensions' AS source, '' AS release, '' AS vendor, '' AS arch, path AS installed_path
            FROM cached_users CROSS JOIN chrome_extensions USING (uid)
            UNION
            SELECT name AS name, version AS version, 'Browser plugin (Firefox)' AS type, identifier AS extension_id,
              'firefox' AS browser, 'firefox_addons' AS source, '' AS release, '' AS vendor, '' AS arch, path AS installed_path
            FROM cached_users CROSS JOIN firefox_addons USING (uid)
            UNION
            SELECT name AS name, version AS version, 'Package (Python)' AS type, '' AS extension_id, '' AS browser,
              'python_packages' AS source, '' AS release, '' AS vendor, '' AS arch, path AS installed_path
            FROM python_packages
            """;

    @Test
    void fleetSoftwareInventoryUnion() {
        List<Map<String, Object>> out = rows(FLEET_SOFTWARE_LINUX);
        assertThat(out).anySatisfy(r -> assertThat(r).containsEntry("name", "dpkg").containsEntry("source", "deb_packages"));
        assertThat(out).anySatisfy(r -> assertThat(r).containsEntry("name", "app-editors/vim").containsEntry("version", "9.1.0")
                .containsEntry("source", "portage_packages"));
        assertThat(out).anySatisfy(r -> assertThat(r).containsEntry("name", "Witness Extension").containsEntry("browser", "chromium")
                .containsEntry("source", "chrome_extensions"));
        assertThat(out).anySatisfy(r -> assertThat(r).containsEntry("name", "uBlock Origin").containsEntry("extension_id", "uBlock0@raymondhill.net")
                .containsEntry("browser", "firefox"));
    }

    @Test
    void joinsWithUsersAndUidConstraints() {
        assertThat(rows("SELECT u.username, c.name, c.profile, c.from_webstore FROM users u JOIN chrome_extensions c USING (uid)"))
                .extracting(r -> r.get("username") + "|" + r.get("name") + "|" + r.get("profile") + "|" + r.get("from_webstore"))
                .containsExactly("hq0|Witness Extension|Person 1|true");
        assertThat(rows("SELECT u.username, f.name FROM users u CROSS JOIN firefox_addons f USING (uid) WHERE f.name LIKE 'uBlock%'"))
                .extracting(r -> r.get("username") + "|" + r.get("name")).containsExactly("hq1|uBlock Origin");
        assertThat(rows("SELECT name FROM vscode_extensions WHERE uid = ?", homeUid() + 1)).extracting(r -> r.get("name"))
                .containsExactly("golang.go");
        assertThat(rows("SELECT * FROM chrome_extensions WHERE uid = ?", homeUid() + 1)).isEmpty();
        assertThat(rows("SELECT match FROM chrome_extension_content_scripts WHERE uid = ? AND match LIKE '%example.org%' AND script = 'a.js'",
                homeUid())).extracting(r -> r.get("match")).containsExactly("https://*.example.org/*");
        assertThat(rows("SELECT locale, default_locale FROM chrome_extensions")).extracting(r -> r.get("locale") + "=" + r.get("default_locale"))
                .containsExactly("en=en");
        assertThat(rows("SELECT * FROM chrome_extensions").get(0)).doesNotContainKeys("locale", "manifest_json", "key", "permissions_json");
    }

    @Test
    void fileToPackageAttributionOfARunningProcess() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(Path.of("/var/lib/dpkg/info/coreutils.list")), "needs a dpkg host");
        try (TableTests.Child tail = new TableTests.Child(new ProcessBuilder("/usr/bin/tail", "-f", "/dev/null").start())) {
            assertThat(rows("SELECT f.package, p.name FROM processes p JOIN deb_package_files f ON f.path = p.path WHERE p.pid = ?", tail.pid()))
                    .extracting(r -> r.get("package") + " " + r.get("name")).containsExactly("coreutils tail");
        }
        assertThat(rows("SELECT path FROM deb_package_files WHERE package = 'coreutils' AND path LIKE '/usr/bin/tai%'"))
                .extracting(r -> r.get("path")).containsExactly("/usr/bin/tail");
    }

    @Test
    void inventoryTablesAbsentHereStillJoinTheUnion() {
        // the discovery-guarded inventory Fleet also runs: absent sources are empty, never an error
        assertThat(rows("SELECT name, baseurl AS version, 'yum' AS source FROM yum_sources UNION ALL SELECT package, version, 'portage_use' FROM portage_use"
                + " UNION ALL SELECT package, version, 'keywords' FROM portage_keywords UNION ALL SELECT package, path, 'rpm' FROM rpm_package_files"
                + " UNION ALL SELECT name, version, 'jetbrains' FROM jetbrains_plugins UNION ALL SELECT name, version, 'vscode' FROM vscode_extensions"))
                .extracting(r -> r.get("source") + " " + r.get("name")).contains("vscode golang.go");
    }
}
