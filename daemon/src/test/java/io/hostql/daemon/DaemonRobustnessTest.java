package io.hostql.daemon;

import static io.hostql.daemon.DaemonProcess.query;
import static io.hostql.daemon.DaemonProcess.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.events.FileEvent;
import io.hostql.events.Journal;
import io.hostql.events.JournalEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonRobustnessTest {
    @TempDir
    Path tmp;

    Path config(Path watched) throws Exception {
        Files.createDirectories(watched);
        return Files.writeString(tmp.resolve("hostql.conf"), "{\"file_paths\": {\"w\": [\"" + watched + "/%%\"]}}");
    }

    static long count(Path data, String sql) {
        return (Long) query(data, sql).rows().get(0)[0];
    }

    /** The journal's file events that make rows, in order: "path action". */
    static List<String> journaled(Path data) {
        List<String> out = new ArrayList<>();
        try (Journal j = Journal.open(data.resolve("journal")); Journal.Reader r = j.reader()) {
            for (JournalEntry e; (e = r.next()) != null; ) {
                if (e.event() instanceof FileEvent f && f.action() != null) out.add(f.pathText() + " " + f.action());
            }
        }
        return out;
    }

    @Test
    void sigkillMidStreamThenRestartKeepsEveryJournaledEventExactlyOnce() throws Exception {
        Path watched = tmp.resolve("storm");
        Path config = config(watched);
        Path data = tmp.resolve("data");
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            for (int i = 0; writing.get(); i++) {
                try {
                    Files.writeString(watched.resolve("f" + (i % 500)), "content " + i);
                } catch (Exception e) {
                    return;
                }
            }
        });
        try (DaemonProcess first = DaemonProcess.start(config, data)) {
            writer.start();
            waitFor(() -> count(data, "SELECT count(*) FROM file_events") > 2000, 30, "rows to flow");
            first.kill9();
        }
        writing.set(false);
        writer.join();
        try (DaemonProcess second = DaemonProcess.start(config, data)) {
            // Everything journaled before the kill, plus nothing else, must reach the table once.
            List<String> expected = journaled(data);
            waitFor(() -> count(data, "SELECT count(*) FROM file_events") >= expected.size(), 30, "the subscriber to catch up");
            Thread.sleep(500);
            List<String> rows = new ArrayList<>();
            for (Object[] r : query(data, "SELECT target_path, action FROM file_events ORDER BY eid").rows()) rows.add(r[0] + " " + r[1]);
            assertThat(rows).hasSize(expected.size()).isEqualTo(expected);
            assertThat(count(data, "SELECT count(DISTINCT eid) FROM file_events")).isEqualTo(expected.size());
            assertThat(second.stop()).isZero();
        }
    }

    @Test
    void aSecondDaemonOnTheSameDataDirIsRefused() throws Exception {
        Path config = config(tmp.resolve("w"));
        Path data = tmp.resolve("data");
        try (DaemonProcess first = DaemonProcess.start(config, data)) {
            Process second = new ProcessBuilder(DaemonProcess.command("io.hostql.daemon.Hostqld", "--config_path", config.toString(),
                    "--database_path", data.toString(), "--logger_path", tmp.resolve("logs2").toString(), "--pidfile",
                    tmp.resolve("second.pid").toString())).redirectErrorStream(true).start();
            try {
                assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("the second hostqld exits on its own").isTrue();
                String out = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(second.exitValue()).isEqualTo(1);
                assertThat(out).contains("another hostqld (pid " + first.pid() + ") is already running on " + data);
                assertThat(first.process.isAlive()).isTrue();
            } finally {
                second.destroyForcibly(); // a failed wait must not leave a daemon running after the test
            }
        }
    }

    @Test
    void sighupRereadsFilePaths() throws Exception {
        Path a = tmp.resolve("a"), b = Files.createDirectories(tmp.resolve("b"));
        Path config = config(a);
        Path data = tmp.resolve("data");
        try (DaemonProcess d = DaemonProcess.start(config, data)) {
            Files.writeString(b.resolve("before-hup"), "x");
            Files.writeString(config, "{\"file_paths\": {\"w\": [\"" + a + "/%%\"], \"b\": [\"" + b + "/%%\"]}}");
            d.signal("HUP");
            waitFor(() -> d.output().contains("config reloaded"), 10, "the reload");
            Path after = Files.writeString(b.resolve("after-hup"), "y");
            waitFor(() -> count(data, "SELECT count(*) FROM file_events WHERE target_path = '" + after + "'") > 0, 30, "an event under the new path");
            assertThat(count(data, "SELECT count(*) FROM file_events WHERE target_path LIKE '%before-hup'")).isZero();
            // A broken config on SIGHUP is refused; the daemon keeps running on the old one.
            Files.writeString(config, "{ broken");
            d.signal("HUP");
            waitFor(() -> d.output().contains("config reload refused"), 10, "the refusal");
            Path still = Files.writeString(b.resolve("still-watched"), "z");
            waitFor(() -> count(data, "SELECT count(*) FROM file_events WHERE target_path = '" + still + "'") > 0, 30, "events after a refused reload");
        }
    }

    @Test
    void aSighupIgnoredAtStartStillReloads() throws Exception {
        Path config = config(tmp.resolve("w"));
        // nohup (or a parent ignoring SIGHUP) leaves it ignored in the JVM, which would drop hostqld's handler: hostqld resets it.
        try (DaemonProcess d = DaemonProcess.start(List.of("nohup"), config, tmp.resolve("ignored"))) {
            assertThat(d.output()).doesNotContain("SIGHUP was ignored");
            d.signal("HUP");
            waitFor(() -> d.output().contains("config reloaded"), 10, "the reload");
            assertThat(d.process.isAlive()).as("alive after SIGHUP").isTrue();
        }
    }

    @Test
    void aDamagedJournalIsReportedAndDoesNotStopTheDaemon() throws Exception {
        Path watched = tmp.resolve("w");
        Path config = config(watched);
        Path data = tmp.resolve("data");
        try (DaemonProcess d = DaemonProcess.start(config, data)) {
            for (int i = 0; i < 50; i++) Files.writeString(watched.resolve("before-" + i), "x");
            waitFor(() -> count(data, "SELECT count(*) FROM file_events") >= 100, 10, "rows before the damage");
            assertThat(d.stop()).isZero();
        }
        Path cycle;
        try (var files = Files.list(data.resolve("journal"))) {
            cycle = files.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        byte[] all = Files.readAllBytes(cycle);
        int at = new String(all, StandardCharsets.ISO_8859_1).indexOf("before-20");
        try (var f = new java.io.RandomAccessFile(cycle.toFile(), "rw")) {
            f.seek(at - 64);
            f.write(new byte[512]);
        }
        try (DaemonProcess d = DaemonProcess.start(config, data)) {
            // Every subscriber had stored every record before the damage (a clean stop stores each position):
            // the damage is told, and no loss is, since the tables miss nothing.
            assertThat(d.output()).contains("was damaged").contains("moved aside").contains("salvaged")
                    .contains("had already been stored by every subscriber: nothing is missing from the tables");
            Path after = Files.writeString(watched.resolve("after-damage"), "y");
            waitFor(() -> count(data, "SELECT count(*) FROM file_events WHERE target_path = '" + after + "'") > 0, 30, "events after recovery");
            assertThat(Files.list(data.resolve("journal/damaged")).count()).isEqualTo(1);
            assertThat(count(data, "SELECT count(*) FROM hostql_event_losses WHERE source = 'journal'")).isZero();
            assertThat(count(data, "SELECT count(*) FROM file_events WHERE target_path LIKE '%/before-%'")).as("rows before the damage stay")
                    .isGreaterThanOrEqualTo(50);
        }
    }

    record Run(int status, String output) {}

    Run runDaemon(String... args) throws Exception {
        Process p = new ProcessBuilder(DaemonProcess.command("io.hostql.daemon.Hostqld", args)).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void malformedConfigsAreRefusedWithTheirLocationAndNoStackTrace() throws Exception {
        Path data = tmp.resolve("data");
        String[][] cases = {
                {"{\n  \"file_paths\": {\n    \"etc\": [\"/etc/%%\"],,\n  }\n}", ":3: ", "broken JSON"},
                {"{\"file_paths\": {\"etc\": [42]}}", ":1: file_paths.etc.0:", "must be a path string"},
                {"{\"file_paths\": {\"etc\": \"/etc/%%\"}, \"options\": {\"events_max\": {}}}", ":1: options.events_max", "must be a string, number or boolean"},
                {"{\"file_paths\": {\"home\": [\"~/.ssh/%%\"]}}", ":1: file_paths.home.0", "must be an absolute path"},
        };
        for (String[] c : cases) {
            Path conf = Files.writeString(tmp.resolve("bad.conf"), c[0]);
            Run r = runDaemon("--config_path", conf.toString(), "--database_path", data.toString(), "--logger_path",
                    tmp.resolve("logs").toString(), "--pidfile", tmp.resolve("pid").toString());
            assertThat(r.status()).as(c[0]).isEqualTo(1);
            assertThat(r.output()).as(c[0]).contains(conf + c[1]).contains(c[2]).doesNotContain("Exception").doesNotContain("\tat ");
            Run check = runDaemon("--config_check", "--config_path", conf.toString());
            assertThat(check.status()).isEqualTo(1);
            assertThat(check.output()).contains(conf.toString()).contains(c[2]).doesNotContain("\tat ");
        }
        Run missing = runDaemon("--config_path", tmp.resolve("nope.conf").toString(), "--database_path", data.toString(),
                "--pidfile", tmp.resolve("pid").toString(), "--logger_path", tmp.resolve("logs").toString());
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.output()).contains("nope.conf: no such file");
        Run badFlag = runDaemon("--events_max=lots");
        assertThat(badFlag.status()).isEqualTo(1);
        assertThat(badFlag.output()).isEqualTo("hostqld: flag --events_max=lots is not an integer\n");
    }
}
