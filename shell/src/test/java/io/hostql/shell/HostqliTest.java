package io.hostql.shell;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hostql.evented.EventedTables;
import io.hostql.evented.Row;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostqliTest {
    record Run(int status, String out, String err) {}

    static Run run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = Hostqli.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), false);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static final Row.Layout FILE = Row.layout(EventedTables.FILE_EVENTS);

    /** A file_events row as the daemon's subscriber writes it: an UPDATED 10-byte file. */
    static Row fileRow(String path, long time, long eid) {
        Row row = FILE.row().set(FILE.text("target_path"), path).set(FILE.text("category"), "etc").set(FILE.text("action"), "UPDATED")
                .set(FILE.integer("transaction_id"), 0).set(FILE.integer("inode"), 1).set(FILE.integer("uid"), 0).set(FILE.integer("gid"), 0)
                .set(FILE.text("mode"), "0644").set(FILE.integer("size"), 10).set(FILE.integer("atime"), 1).set(FILE.integer("mtime"), 1)
                .set(FILE.integer("ctime"), 1).set(FILE.integer("hashed"), 0).set(FILE.integer("time"), time);
        row.eid(String.format("%010d", eid));
        return row;
    }

    @Test
    void jsonIsOsquerysLayoutWithStringValues() throws Exception {
        Run r = run("", "--json", "SELECT 1 AS one, NULL AS n, 'a\"b' AS q UNION ALL SELECT 2, 'x', 'y'");
        assertThat(r.status()).isZero();
        assertThat(r.out()).isEqualTo("[\n  {\"one\":\"1\",\"n\":\"\",\"q\":\"a\\\"b\"},\n  {\"one\":\"2\",\"n\":\"x\",\"q\":\"y\"}\n]\n");
        JsonNode parsed = new ObjectMapper().readTree(r.out());
        assertThat(parsed.get(0).get("one").isTextual()).isTrue();
    }

    @Test
    void jsonPrettyParses() throws Exception {
        Run r = run("", "--json_pretty", "SELECT 1 AS a, 'b' AS b");
        JsonNode parsed = new ObjectMapper().readTree(r.out());
        assertThat(parsed.get(0).get("b").asText()).isEqualTo("b");
        assertThat(r.out()).contains("\n    \"a\": \"1\"");
    }

    @Test
    void emptyJsonResultIsAnEmptyArray() throws Exception {
        Run r = run("", "--json", "SELECT 1 WHERE 0");
        assertThat(new ObjectMapper().readTree(r.out()).size()).isZero();
    }

    @Test
    void prettyCsvLineAndListModes() {
        assertThat(run("", "SELECT 1 AS a, 'xyz' AS b").out())
                .isEqualTo("+---+-----+\n| a | b   |\n+---+-----+\n| 1 | xyz |\n+---+-----+\n");
        assertThat(run("", "--csv", "SELECT 'a,b' AS x, 2 AS y").out()).isEqualTo("x,y\n\"a,b\",2\n");
        assertThat(run("", "--line", "SELECT 1 AS a, 2 AS long_name").out()).isEqualTo("        a = 1\nlong_name = 2\n");
        assertThat(run("", "--list", "--header=false", "SELECT 1, 2").out()).isEqualTo("1|2\n");
        assertThat(run("", "--list", "--separator", ";", "--nullvalue", "NULL", "SELECT 1 AS a, NULL AS b").out())
                .isEqualTo("a;b\n1;NULL\n");
    }

    @Test
    void errorsAreOneLineOnStderrAndExitNonZero() {
        Run bad = run("", "SELEC 1");
        assertThat(bad.status()).isEqualTo(1);
        assertThat(bad.err()).isEqualTo("Error: near \"SELEC\": syntax error\n");
        assertThat(bad.out()).isEmpty();
        assertThat(run("", "SELECT * FROM nope").err()).isEqualTo("Error: no such table: nope\n");
        Run required = run("", "SELECT * FROM osquery_info JOIN etc_hosts");
        assertThat(required.status()).isZero();
        Run readOnly = run("", "ATTACH '/tmp/x.db' AS x");
        assertThat(readOnly.status()).isEqualTo(1);
        assertThat(readOnly.err()).startsWith("Error: ATTACH is not allowed").doesNotContain("\n\n");
    }

    @Test
    void badFlagValuesAreReported() {
        Run r = run("", "--events_max=many", "SELECT 1");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("--events_max").contains("many");
        // As osqueryi: an unknown flag is refused, one line naming it; an osquery flag hostql lacks is a warning.
        Run unknown = run("", "--no_such_flag=1", "SELECT 1");
        assertThat(unknown.status()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("Error: unknown flag --no_such_flag\n");
        assertThat(unknown.out()).isEmpty();
        Run lacking = run("", "--planner", "SELECT 1 AS a");
        assertThat(lacking.status()).isZero();
        assertThat(lacking.err()).isEqualTo("Warning: --planner is not implemented in hostql: it lacks the shell's virtual-table planner output\n");
    }

    @Test
    void stdinRunsStatementsAndDotCommands() {
        Run r = run("SELECT 1 AS a;\n.mode csv\nSELECT 2 AS b,\n 3 AS c;\n.headers off\nSELECT 4;\n");
        assertThat(r.status()).isZero();
        assertThat(r.out()).isEqualTo("+---+\n| a |\n+---+\n| 1 |\n+---+\nb,c\n2,3\n4\n");
        Run failing = run("SELECT 1;\nSELECT * FROM nope;\nSELECT 2;\n", "--list", "--header=false");
        assertThat(failing.status()).isEqualTo(1);
        assertThat(failing.out()).isEqualTo("1\n2\n");
    }

    @Test
    void dotCommands() {
        assertThat(run("", ".tables osquery_").out()).isEqualTo("  => osquery_events\n  => osquery_flags\n  => osquery_info\n  => osquery_packs\n"
                + "  => osquery_registry\n  => osquery_schedule\n");
        assertThat(run("", ".schema etc_hosts").out())
                .isEqualTo("CREATE TABLE `etc_hosts`(`address` TEXT, `hostnames` TEXT, `pid_with_namespace` INTEGER HIDDEN);\n");
        assertThat(run(".mode csv\n.all osquery_registry\n").out()).startsWith("registry,name,owner_uuid,internal,active\n");
        assertThat(run("", ".all nope").err()).isEqualTo("Error: no such table: nope\n");
        assertThat(run(".mode fancy\n").err()).isEqualTo("Error: mode should be one of: column csv line list pretty\n");
        assertThat(run("", ".help").out()).contains(".tables [TABLE]");
        assertThat(run("", ".show").out()).contains("mode: pretty");
        assertThat(run("", ".features").out()).contains("disable_events");
        assertThat(run(".timer on\nSELECT 1;\n").out()).contains("Run Time: real");
        assertThat(run(".exit 3\nSELECT 1;\n").status()).isEqualTo(3);
        assertThat(run(".tab etc_h\n").out()).isEqualTo("  => etc_hosts\n");
    }

    @Test
    void pragmaTableInfoWorksForEveryTable() {
        Run tables = run("", "--list", "--header=false", "SELECT name FROM osquery_registry WHERE registry = 'table'");
        for (String t : tables.out().strip().split("\n")) {
            Run info = run("", "--csv", "PRAGMA table_info(" + t + ")");
            assertThat(info.status()).as(t).isZero();
            assertThat(info.out().split("\n").length).as(t).isGreaterThan(1);
        }
    }

    @Test
    void oneShotShortcutsAndQueryFile(@TempDir Path dir) throws Exception {
        assertThat(run("", "--L").out()).contains("  => osquery_info\n");
        assertThat(run("", "--A", "osquery_flags", "--csv").out()).startsWith("name,type,description");
        Path f = dir.resolve("q.sql");
        Files.writeString(f, "SELECT 41 + 1 AS answer;");
        assertThat(run("", "--query_file", f.toString(), "--list").out()).isEqualTo("answer\n42\n");
        assertThat(run("", "--query_file", dir.resolve("missing.sql").toString()).err()).contains("missing.sql");
        assertThat(run("", "--disable_tables", "etc_hosts", "SELECT * FROM etc_hosts").err()).contains("no such table: etc_hosts");
    }

    @Test
    void queriesADaemonsEventedTablesReadOnly(@TempDir Path data) {
        try (io.hostql.evented.EventStore store = io.hostql.evented.EventStore.open(data.resolve("events.db"),
                io.hostql.evented.EventedTables.all())) {
            store.commit("file_events", new io.hostql.evented.EventStore.Position(1, 1, 1), b -> b.insert(fileRow("/etc/passwd", 1700000000L, 1)));
            Run r = run("", "--database_path", data.toString(), "--csv",
                    "SELECT target_path, action FROM file_events WHERE time > 1600000000");
            assertThat(r.err()).isEmpty();
            assertThat(r.out()).isEqualTo("target_path,action\n/etc/passwd,UPDATED\n");
            assertThat(run("", "--database_path", data.toString(), ".tables file_").out()).isEqualTo("  => file_events\n");
            Row.Layout syslog = Row.layout(EventedTables.SYSLOG_EVENTS);
            store.commit("syslog_events", new io.hostql.evented.EventStore.Position(2, 2, 1), b -> {
                Row row = syslog.row().set(syslog.text("tag"), "sshd").set(syslog.text("message"), "accepted").set(syslog.integer("time"), 1700000000L);
                row.eid("0000000001");
                b.insert(row);
            });
            Run alias = run("", "--database_path", data.toString(), "--csv", "SELECT tag, message FROM syslog WHERE time > 1600000000");
            assertThat(alias.err()).isEmpty();
            assertThat(alias.out()).as("osquery's alias of syslog_events").isEqualTo("tag,message\nsshd,accepted\n");
            Run write = run("", "--database_path", data.toString(), "DELETE FROM file_events");
            assertThat(write.status()).isEqualTo(1);
            assertThat(write.err()).contains("not allowed");
        }
        Run none = run("", "--database_path", data.resolve("nowhere").toString(), "SELECT 1");
        assertThat(none.status()).isZero();
        assertThat(none.err()).contains("no events.db in");
    }

    /** osqueryi always has the evented and osquery_* tables: without a daemon's data they exist, empty, read-only. */
    @Test
    void eventedAndDaemonTablesExistEmptyWithoutADaemon(@TempDir Path data) {
        List<String> tables = new ArrayList<>(EventedTables.all().stream().map(io.hostql.sql.table.TableSchema::name).toList());
        tables.addAll(EventedTables.ALIASES.keySet());
        tables.addAll(List.of("osquery_schedule", "osquery_packs", "osquery_events"));
        assertThat(tables).as("the evented tables and aliases, from their one declaration").contains("file_events", "syslog_events", "syslog",
                "yara_events");
        for (String t : tables) {
            Run r = run("", "--database_path", data.toString(), "--list", "--header=false", "SELECT count(*) FROM " + t);
            assertThat(r.status()).as(t + ": " + r.err()).isZero();
            assertThat(r.out()).as(t).isEqualTo("0\n");
            // a prefix: ".tables syslog" lists syslog_events too
            assertThat(run("", "--database_path", data.toString(), ".tables " + t).out()).as(t).startsWith("  => " + t + "\n");
        }
        Run write = run("", "--database_path", data.toString(), "INSERT INTO file_events (target_path) VALUES ('x')");
        assertThat(write.status()).isEqualTo(1);
        assertThat(write.err()).contains("not allowed");
    }

    /** With a running hostqld's data dir, osquery_schedule and its peers show that daemon's state (from its state file). */
    @Test
    void daemonTablesShowTheRunningDaemonsState(@TempDir Path data) throws Exception {
        io.hostql.tables.self.DaemonStateFile.write(data, new io.hostql.tables.self.DaemonState() { // this JVM stands for hostqld
            @Override
            public List<QueryStatus> schedule() {
                return List.of(new QueryStatus("pack_p_q", "SELECT 1", 10, 3, 1796578000, false, 42, 1500, 500, 20, 10, 30, 10, 1000, 900, "p"));
            }

            @Override
            public List<PackStatus> packs() {
                return List.of(new PackStatus("p", "linux", "", 0, 0, 1, true));
            }

            @Override
            public List<EventSource> eventSources() {
                return List.of();
            }
        });
        Run r = run("", "--database_path", data.toString(), "--list", "--header=false",
                "SELECT name, executions, wall_time FROM osquery_schedule; SELECT name, active FROM osquery_packs");
        assertThat(r.out()).isEqualTo("pack_p_q|3|1\np|1\n");
    }

    @Test
    void versionIsHostqlsAndTheOsqueryReleaseItMatches() {
        assertThat(run("", "--version").out()).isEqualTo("hostqli version " + io.hostql.config.Version.VERSION
                + " (osquery " + io.hostql.config.Version.OSQUERY_COMPATIBLE + " compatible)\n");
        assertThat(run("", "--list", "--header=false", "SELECT version, hostql_version FROM osquery_info").out())
                .isEqualTo(io.hostql.config.Version.OSQUERY_COMPATIBLE + "|" + io.hostql.config.Version.VERSION + "\n");
    }

    @Test
    void helpListsTheDataDirFlag() {
        assertThat(run("", "--help").out()).contains("--database_path=string").containsPattern("(?m)^  --json +Print results as JSON \\(shell\\) \\(default false\\)$");
    }

    /** A user who may not enter the daemon's data dir is told so, not that there is no events.db. */
    @Test
    void anUnreadableDataDirIsPermissionDenied(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root to run hostqli as nobody");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs util-linux's setpriv");
        Path data = Files.createDirectory(tmp.resolve("data"));
        Files.createFile(data.resolve("events.db"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        // nobody may not read root's Maven repository or the checkout: the classpath is copied where it can.
        Path lib = Files.createDirectory(tmp.resolve("lib"));
        List<String> classpath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path from = Path.of(entry);
            if (!Files.exists(from)) continue;
            Path to = lib.resolve(classpath.size() + "-" + from.getFileName());
            try (var tree = Files.walk(from)) {
                for (Path f : tree.toList()) Files.copy(f, to.resolve(from.relativize(f).toString()));
            }
            classpath.add(to.toString());
        }
        try (var tree = Files.walk(lib)) {
            for (Path f : tree.toList()) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(Files.isDirectory(f) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        Path jvmTmp = Files.createDirectory(tmp.resolve("tmp")); // JNA unpacks its library there
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(jvmTmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String f : System.getProperty("hostql.jvm.flags", "").trim().split("\\s+")) if (!f.isEmpty()) cmd.add(f);
        cmd.addAll(List.of("-XX:+UseSerialGC", "-Djava.io.tmpdir=" + jvmTmp, "-cp", String.join(java.io.File.pathSeparator, classpath),
                "io.hostql.shell.Hostqli", "--database_path", data.toString(), "SELECT 1 AS one"));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(err).isZero();
        assertThat(out).contains("| 1 ");
        assertThat(err.strip()).isEqualTo("Warning: cannot read " + data + " (permission denied); run as root to query evented tables");
    }

    @Test
    void aDamagedEventsDbIsExplainedAndARebuildIsSaid(@TempDir Path data) throws Exception {
        Path db = data.resolve("events.db");
        try (io.hostql.evented.EventStore store = io.hostql.evented.EventStore.open(db, io.hostql.evented.EventedTables.all())) {
            store.commit("file_events", new io.hostql.evented.EventStore.Position(1, 1, 1), b -> {
                for (int i = 0; i < 3000; i++) {
                    b.insert(fileRow("/etc/" + "x".repeat(100) + i, 1700000000L + i, i));
                }
            });
        }
        long size = Files.size(db);
        byte[] noise = new byte[(int) (size * 2 / 5) / 4096 * 4096];
        new java.util.Random(3).nextBytes(noise);
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(db.toFile(), "rw")) {
            f.seek(size * 3 / 10 / 4096 * 4096);
            f.write(noise);
        }
        String scan = "SELECT count(*), sum(length(target_path)) FROM file_events";
        Run damaged = run("", "--database_path", data.toString(), scan);
        assertThat(damaged.status()).isEqualTo(1);
        assertThat(damaged.err()).contains(db + " is damaged; hostqld moves it aside and rebuilds it from its journal");
        Files.writeString(data.resolve(io.hostql.evented.EventStore.REBUILDING_MARKER), "since 2026-12-06T15:00:00Z: moved aside\n");
        Run rebuilding = run("", "--database_path", data.toString(), scan);
        assertThat(rebuilding.err()).contains("Warning: hostqld is rebuilding " + db)
                .contains("Error: events.db is being rebuilt by hostqld from its journal (since 2026-12-06T15:00:00Z: moved aside)")
                .doesNotContain("malformed");
    }

    @Test
    void argSplittingHonoursQuotes() {
        assertThat(Shell.splitArgs("separator ' | '")).containsExactly("separator", " | ");
        assertThat(Shell.splitArgs("nullvalue \"\"")).containsExactly("nullvalue", "");
    }
}
