package io.hostql.shell;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hostql.config.Version;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queries a Fleet server and osquery's own packs send to a Linux host, unmodified, through the shell (the same
 * table set as the daemon, with the evented tables empty): each must run. The texts are Fleet's
 * (server/service/osquery_utils/queries.go: the software_linux UNION, the host vitals, the software overrides) and
 * the Linux queries of osquery's packs/ (incident-response, hardware-monitoring, osquery-monitoring,
 * vuln-management, it-compliance, linux-ssh-investigation); darwin- and windows-only pack queries are left out,
 * as osquery leaves them out.
 *
 * <p>A query on a table that another part of issue 16 adds ({@link #NEEDS}) is skipped, naming that table, while the
 * table is absent; once it is registered the query runs here without a change to this test.
 */
class FleetQueriesTest {
    /** Tables other helpers of issue 16 are adding; a query naming one is skipped until it exists. */
    static final Set<String> NEEDS = Set.of("chrome_extensions", "firefox_addons", "portage_packages", "portage_use",
            "vscode_extensions", "jetbrains_plugins", "deb_package_files", "rpm_package_files", "yum_sources", "acpi_tables",
            "cpuid", "smbios_tables", "certificates", "ssh_configs", "known_hosts");

    record Query(String source, String name, String sql) {}

    /** A query kept as a file, because bench/run fleet-inventory sends the same text. */
    static String fleet(String file) {
        try (var in = FleetQueriesTest.class.getResourceAsStream("/fleet/" + file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Fleet's users detail query; its software queries use it as the cached_users CTE. */
    static final String FLEET_USERS = fleet("users.sql");

    static String withCachedUsers(String query) {
        return "WITH cached_users AS (" + FLEET_USERS + ")\n" + query;
    }

    static final String FLEET_SOFTWARE_LINUX = withCachedUsers(fleet("software_linux.sql"));

    static final String FLEET_DISK_SPACE_CONDITIONS = """
            WHERE
            blocks > 0
            AND blocks_size > 0
            AND path NOT LIKE '/media%' AND path NOT LIKE '/mnt%'
            AND path NOT LIKE '/dev%'
            AND path NOT LIKE '/proc%'
            AND path NOT LIKE '/sys%'
            AND path NOT LIKE '/run%'
            AND path NOT LIKE '/var/run%'
            AND path NOT LIKE '/boot%'
            AND path NOT LIKE '/snap%' AND path NOT LIKE '/var/snap%'
            AND path NOT LIKE '/var/lib/docker%'
            AND path NOT LIKE '/var/lib/containers%'
            AND type IN ('ext4', 'ext3', 'ext2', 'xfs', 'btrfs', 'ntfs', 'vfat', 'fuseblk', 'zfs')
            AND (device LIKE '/dev/sd%' OR device LIKE '/dev/hd%' OR device LIKE '/dev/vd%' OR device LIKE '/dev/nvme%'
            OR device LIKE '/dev/mapper%' OR device LIKE '/dev/md%' OR device LIKE '/dev/dm-%')""";

    static final String FLEET_NETWORK_INTERFACE_UNIX = """
            SELECT
                ia.address,
                id.mac
            FROM
                interface_addresses ia
                JOIN interface_details id ON id.interface = ia.interface
                JOIN routes r ON r.interface = ia.interface
            WHERE
                (r.destination = '0.0.0.0' OR r.destination = '::') AND r.netmask = 0
                AND r.type = 'gateway'
                AND (
            \t\tinet_aton(ia.address) IS NOT NULL AND (
            \t\t\tsplit(ia.address, '.', 0) = '10'
            \t\t\tOR (split(ia.address, '.', 0) = '172' AND (CAST(split(ia.address, '.', 1) AS INTEGER) & 0xf0) = 16)
            \t\t\tOR (split(ia.address, '.', 0) = '192' AND split(ia.address, '.', 1) = '168')
            \t\t)
            \t\tOR (inet_aton(ia.address) IS NULL AND regex_match(lower(ia.address), '^f[cd][0-9a-f][0-9a-f]:[0-9a-f:]+', 0) IS NOT NULL)
            \t)
            ORDER BY
                r.metric ASC,
            \tinet_aton(ia.address) IS NOT NULL DESC
            LIMIT 1;""";

    static final String PYTHON_DISCOVERY_WITH_USERS = """
            SELECT 1 FROM (
                SELECT
                CAST(substr(version, 1, instr(version, '.') - 1) AS INTEGER) major,
                CAST(substr(version, instr(version, '.') + 1, instr(substr(version, instr(version, '.') + 1), '.') - 1) AS INTEGER) minor from osquery_info
            ) AS version_parts WHERE major > 5 OR (major = 5 AND minor >= 16)""";

    static final String PYTHON_DISCOVERY_OLD = """
            SELECT 1 FROM (
                SELECT
                CAST(SUBSTR(version, 1, INSTR(version, '.') - 1) AS INTEGER) major,
                CAST(SUBSTR(version, INSTR(version, '.') + 1, INSTR(SUBSTR(version, INSTR(version, '.') + 1), '.') - 1) AS INTEGER) minor from osquery_info
            ) AS version_parts WHERE major < 5 OR (major = 5 AND minor < 16)""";

    static List<Query> queries() {
        List<Query> q = new ArrayList<>();
        // Fleet: the software inventory and what is appended to it
        q.add(new Query("fleet", "software_linux", FLEET_SOFTWARE_LINUX));
        q.add(new Query("fleet", "software_vscode_extensions", withCachedUsers("""
                SELECT name, version, '' AS bundle_identifier, vscode_extensions.uuid AS extension_id, vscode_edition AS extension_for,
                  'vscode_extensions' AS source, publisher AS vendor, '' AS last_opened_at, path AS installed_path
                FROM cached_users CROSS JOIN vscode_extensions USING (uid)""")));
        q.add(new Query("fleet", "software_jetbrains_plugins", withCachedUsers("""
                SELECT name, version, '' AS bundle_identifier, '' AS extension_id, product_type AS extension_for,
                  'jetbrains_plugins' AS source, vendor, '' AS last_opened_at, path AS installed_path
                FROM cached_users CROSS JOIN jetbrains_plugins USING (uid)""")));
        q.add(new Query("fleet", "software_python_packages_with_users_dir", withCachedUsers("""
                SELECT name AS name, version AS version, '' AS extension_id, '' AS extension_for, 'python_packages' AS source,
                  '' AS vendor, path AS installed_path
                FROM cached_users CROSS JOIN python_packages USING (uid)""")));
        q.add(new Query("fleet", "python_discovery_with_users_dir", PYTHON_DISCOVERY_WITH_USERS));
        q.add(new Query("fleet", "python_discovery_old", PYTHON_DISCOVERY_OLD));
        q.add(new Query("fleet", "deb_last_opened_at", """
                SELECT package, MAX(atime) AS last_opened_at
                FROM deb_package_files
                CROSS JOIN file USING (path)
                WHERE type = 'regular' AND regex_match(file.mode, '[1357]', 0)
                GROUP BY package"""));
        q.add(new Query("fleet", "rpm_last_opened_at", """
                SELECT package, MAX(atime) AS last_opened_at
                FROM (SELECT package, path FROM rpm_package_files WHERE regex_match(mode, '[1357]', 0))
                CROSS JOIN file USING (path)
                WHERE type = 'regular'
                GROUP BY package"""));
        q.add(new Query("fleet", "discovery_deb_package_files",
                "SELECT 1 FROM osquery_registry WHERE active = true AND registry = 'table' AND name = 'deb_package_files'"));
        // Fleet: host vitals
        q.add(new Query("fleet", "users", FLEET_USERS));
        q.add(new Query("fleet", "os_version", "SELECT * FROM os_version LIMIT 1"));
        q.add(new Query("fleet", "os_unix_like", """
                SELECT os.name, os.major, os.minor, os.patch, os.extra, os.build, os.arch, os.platform, os.version AS version,
                  k.version AS kernel_version
                FROM os_version os, kernel_info k"""));
        q.add(new Query("fleet", "osquery_flags", "select name, value from osquery_flags where name in (\"distributed_interval\", "
                + "\"config_tls_refresh\", \"config_refresh\", \"logger_tls_period\")"));
        q.add(new Query("fleet", "osquery_info", "select * from osquery_info limit 1"));
        q.add(new Query("fleet", "system_info", "select * from system_info limit 1"));
        q.add(new Query("fleet", "uptime", "select * from uptime limit 1"));
        q.add(new Query("fleet", "disk_space_unix", """
                SELECT (blocks_available * 100 / blocks) AS percent_disk_space_available,
                       round((blocks_available * blocks_size * 10e-10),2) AS gigs_disk_space_available,
                       round((blocks           * blocks_size * 10e-10),2) AS gigs_total_disk_space,
                       (SELECT round(SUM(blocks * blocks_size) * 10e-10, 2) FROM mounts\s""" + FLEET_DISK_SPACE_CONDITIONS + """
                ) AS gigs_all_disk_space
                FROM mounts WHERE path = '/' LIMIT 1;"""));
        q.add(new Query("fleet", "network_interface_unix", FLEET_NETWORK_INTERFACE_UNIX));
        q.add(new Query("fleet", "disk_encryption_linux", "SELECT de.encrypted, m.path FROM disk_encryption de JOIN mounts m ON m.device_alias = de.name;"));
        q.add(new Query("fleet", "scheduled_query_stats", """
                SELECT *,
                  (SELECT value from osquery_flags where name = 'pack_delimiter') AS delimiter
                FROM osquery_schedule"""));
        // osquery's enrollment host_details (what the remote API sends at enroll)
        for (String t : new String[] {"os_version", "osquery_info", "system_info", "platform_info"}) {
            q.add(new Query("enroll", t, "SELECT * FROM " + t));
        }
        // osquery's packs, the queries a Linux host runs
        String[][] packs = {
            {"incident-response", "crontab", "select * from crontab;"},
            {"incident-response", "etc_hosts", "select * from etc_hosts;"},
            {"incident-response", "kernel_modules", "select * from kernel_modules;"},
            {"incident-response", "last", "select * from last;"},
            {"incident-response", "open_sockets", "select distinct pid, family, protocol, local_address, local_port, remote_address, "
                    + "remote_port, path from process_open_sockets where path <> '' or remote_address <> '';"},
            {"incident-response", "open_files", "select distinct pid, path from process_open_files where path not like "
                    + "'/private/var/folders%' and path not like '/System/Library/%' and path not in ('/dev/null', '/dev/urandom', '/dev/random');"},
            {"incident-response", "logged_in_users", "select liu.*, p.name, p.cmdline, p.cwd, p.root from logged_in_users liu, processes p "
                    + "where liu.pid = p.pid;"},
            {"incident-response", "ip_forwarding", "select * from system_controls where oid = '4.30.41.1' union select * from "
                    + "system_controls where oid = '4.2.0.1';"},
            {"incident-response", "process_env", "select * from process_envs;"},
            {"incident-response", "mounts", "select * from mounts;"},
            {"incident-response", "shell_history", "select * from users join shell_history using (uid);"},
            {"incident-response", "ramdisk", "select * from block_devices where type = 'Virtual Interface';"},
            {"incident-response", "listening_ports", "select * from listening_ports;"},
            {"incident-response", "suid_bin", "select * from suid_bin;"},
            {"incident-response", "process_memory", "select * from process_memory_map;"},
            {"incident-response", "arp_cache", "select * from arp_cache;"},
            {"incident-response", "disk_encryption", "select * from disk_encryption;"},
            {"incident-response", "iptables", "select * from iptables;"},
            {"hardware-monitoring", "acpi_tables", "select * from acpi_tables;"},
            {"hardware-monitoring", "cpuid", "select feature, value, output_register, output_bit, input_eax from cpuid;"},
            {"hardware-monitoring", "smbios_tables", "select * from smbios_tables;"},
            {"hardware-monitoring", "kernel_info", "select * from kernel_info join hash using (path);"},
            {"hardware-monitoring", "pci_devices", "select * from pci_devices;"},
            {"hardware-monitoring", "usb_devices", "select * from usb_devices;"},
            {"hardware-monitoring", "hardware_events", "select * from hardware_events where path <> '' or model <> '';"},
            {"hardware-monitoring", "kernel_modules", "select * from kernel_modules;"},
            {"hardware-monitoring", "device_nodes", "select file.path, uid, gid, mode, 0 as atime, mtime, ctime, block_size, type from "
                    + "file where directory = '/dev/';"},
            {"osquery-monitoring", "schedule", "select name, interval, executions, output_size, wall_time, (user_time/executions) as "
                    + "avg_user_time, (system_time/executions) as avg_system_time, average_memory, last_executed, denylisted from osquery_schedule;"},
            {"osquery-monitoring", "events", "select name, publisher, type, subscriptions, events, active from osquery_events;"},
            {"osquery-monitoring", "osquery_info", "select i.*, p.resident_size, p.user_time, p.system_time, time.minutes as counter from "
                    + "osquery_info i, processes p, time where p.pid = i.pid;"},
            {"vuln-management", "kernel_info", "select * from kernel_info;"},
            {"vuln-management", "os_version", "select * from os_version;"},
            {"vuln-management", "chrome_extensions", "select chrome_extensions.* from users join chrome_extensions using (uid);"},
            {"vuln-management", "firefox_addons", "select firefox_addons.* from users join firefox_addons using (uid);"},
            {"vuln-management", "deb_packages", "select * from deb_packages;"},
            {"vuln-management", "apt_sources", "select * from apt_sources;"},
            {"vuln-management", "portage_packages", "select * from portage_packages;"},
            {"vuln-management", "rpm_packages", "select * from rpm_packages;"},
            {"vuln-management", "backdoored_python_packages", "select name as package_name, version as package_version, path as "
                    + "package_path from python_packages where package_name = 'acqusition' or package_name = 'apidev-coop' or package_name = "
                    + "'bzip' or package_name = 'crypt' or package_name = 'django-server' or package_name = 'pwd' or package_name = "
                    + "'setup-tools' or package_name = 'telnet' or package_name = 'urlib3' or package_name = 'urllib';"},
            {"it-compliance", "osquery_info", "select * from time, osquery_info;"},
            {"it-compliance", "mounts", "select * from mounts;"},
            {"it-compliance", "chrome_extensions", "select * from users join chrome_extensions using (uid);"},
            {"it-compliance", "usb_devices", "select * from usb_devices;"},
            {"it-compliance", "portage_packages", "select * from portage_use;"},
            {"linux-ssh-investigation", "authorized_ssh_keys", "select username, algorithm, options, comment, key_file from users join "
                    + "authorized_keys using (uid);"},
            {"linux-ssh-investigation", "authorized_keys_with_options", "select username, algorithm, options, comment, key_file from users "
                    + "join authorized_keys using (uid) where options != '';"},
            {"linux-ssh-investigation", "unencrypted_private_ssh_keys", "select username, path, key_type, key_length, key_security_bits "
                    + "from users join user_ssh_keys using (uid) where encrypted = 0;"},
            {"linux-ssh-investigation", "ssh_client_configuration", "select username, block, option, ssh_config_file from users join "
                    + "ssh_configs using (uid);"},
        };
        for (String[] p : packs) q.add(new Query("pack " + p[0], p[1], p[2]));
        return q;
    }

    @TempDir
    static Path data;
    static Set<String> present;

    @BeforeAll
    static void tables() throws IOException {
        present = new TreeSet<>();
        for (String t : NEEDS) {
            Run r = run("SELECT count(*) AS n FROM pragma_table_info('" + t + "')");
            if (!r.json().get(0).get("n").asText().equals("0")) present.add(t);
        }
    }

    record Run(int status, String out, String err) {
        JsonNode json() throws IOException {
            return new ObjectMapper().readTree(out);
        }
    }

    /** One query as a Fleet live query would meet it: hostqli --json on a data dir with no daemon. */
    static Run run(String sql) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = Hostqli.run(new String[] {"--database_path", data.toString(), "--json", sql},
                new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The tables of {@link #NEEDS} the query reads (names in string literals, as in a discovery query, aside) that are not registered yet. */
    static Set<String> missing(String sql) {
        String code = sql.replaceAll("'[^']*'", "''");
        Set<String> out = new TreeSet<>();
        for (String t : NEEDS) {
            if (!present.contains(t) && Pattern.compile("\\b" + t + "\\b").matcher(code).find()) out.add(t);
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> everyQueryRuns() {
        return queries().stream().map(q -> DynamicTest.dynamicTest(q.source() + ": " + q.name(), () -> {
            Set<String> absent = missing(q.sql());
            Assumptions.assumeTrue(absent.isEmpty(), "needs " + absent + ", which another part of issue 16 adds");
            Run r = run(q.sql());
            assertThat(r.status()).as(q.name() + ": " + r.err()).isZero();
            assertThat(r.err()).as(q.name()).doesNotContain("Error");
            assertThat(r.json().isArray()).isTrue();
        }));
    }

    /** The deb part of the inventory UNION is every package dpkg calls installed. */
    @Test
    void theSoftwareInventoryHasEveryInstalledDebPackage() throws Exception {
        Assumptions.assumeTrue(missing(FLEET_SOFTWARE_LINUX).isEmpty(), "needs " + missing(FLEET_SOFTWARE_LINUX)
                + ", which another part of issue 16 adds");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg-query")), "dpkg-query is the witness");
        Set<String> installed = new TreeSet<>();
        Process p = new ProcessBuilder("dpkg-query", "-W", "-f", "${db:Status-Status} ${Package}\\n")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        for (String line : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("installed ")) installed.add(line.substring("installed ".length()));
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Set<String> inventory = new TreeSet<>();
        for (JsonNode row : run(FLEET_SOFTWARE_LINUX).json()) {
            if (row.get("source").asText().equals("deb_packages")) inventory.add(row.get("name").asText());
        }
        assertThat(inventory).isNotEmpty().isEqualTo(installed);
    }

    /** Fleet keys features on osquery_info.version: hostql says which osquery it matches, and Fleet's 5.16 gates read it so. */
    @Test
    void managersSeeTheOsqueryReleaseHostqlMatches() throws Exception {
        assertThat(run("select * from osquery_info limit 1").json().get(0).get("version").asText()).isEqualTo(Version.OSQUERY_COMPATIBLE);
        assertThat(run(PYTHON_DISCOVERY_WITH_USERS).json()).hasSize(1);
        assertThat(run(PYTHON_DISCOVERY_OLD).json()).isEmpty();
    }

    /** users.type and os_version.extra, which Fleet selects, are other platforms' columns: present and empty here. */
    @Test
    void otherPlatformsColumnsFleetSelectsAreEmpty() throws Exception {
        JsonNode users = run(FLEET_USERS).json();
        assertThat(users).isNotEmpty();
        for (JsonNode u : users) assertThat(u.get("type").asText()).isEmpty();
        if (Files.readString(Path.of("/etc/passwd")).startsWith("root:x:0:0:root:/root:/bin/bash")) {
            assertThat(users).anySatisfy(u -> assertThat(u.get("username").asText()).isEqualTo("root"));
        }
        assertThat(run("SELECT os.extra FROM os_version os").json().get(0).get("extra").asText()).isEmpty();
    }
}
