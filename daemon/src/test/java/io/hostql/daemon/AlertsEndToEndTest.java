package io.hostql.daemon;

import static io.hostql.daemon.DaemonProcess.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Alert rules on a real hostqld: a matching file event is a result line in hostqld.results.log within a second. */
class AlertsEndToEndTest {
    @TempDir
    Path tmp;

    @Test
    void aMatchingRowIsLoggedAtOnceAndOthersAreNot() throws Exception {
        Path watched = Files.createDirectories(tmp.resolve("etc"));
        Path config = Files.writeString(tmp.resolve("hostql.conf"), """
                {"file_paths": {"etc": ["%s/%%%%"]},
                 "alerts": {"sudoers_touched": {"table": "file_events", "where": "target_path LIKE '%%/sudoers%%' AND action = 'CREATED'"}}}
                """.formatted(watched));
        try (DaemonProcess d = DaemonProcess.start(config, tmp.resolve("data"))) {
            Path results = d.logs.resolve("hostqld.results.log");
            Files.writeString(watched.resolve("unrelated"), "x");
            long t0 = System.nanoTime();
            Files.writeString(watched.resolve("sudoers.d-evil"), "ALL ALL=(ALL) NOPASSWD: ALL");
            waitFor(() -> lines(results).size() >= 1, 5, "the alert line");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ms).as("close() to result line, ms").isLessThan(1000);
            Thread.sleep(300);
            List<String> lines = lines(results);
            assertThat(lines).hasSize(1);
            JsonNode line = new ObjectMapper().readTree(lines.get(0));
            assertThat(line.get("name").asText()).isEqualTo("sudoers_touched");
            assertThat(line.get("action").asText()).isEqualTo("added");
            assertThat(line.get("columns").get("target_path").asText()).endsWith("/sudoers.d-evil");
            assertThat(line.get("columns").get("sha256").asText()).hasSize(64);
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(results))).isEqualTo("rw-r-----");
        }
    }

    @Test
    void aBadPredicateIsRefusedAtConfigLoadWithTheRuleName() throws Exception {
        Path config = Files.writeString(tmp.resolve("bad.conf"),
                "{\"alerts\": {\"typo_rule\": {\"table\": \"file_events\", \"where\": \"acton = 'CREATED'\"}}}");
        for (String mode : new String[] {"--config_check", "--run"}) {
            List<String> args = new java.util.ArrayList<>(List.of("--config_path", config.toString(), "--database_path",
                    tmp.resolve("data").toString(), "--logger_path", tmp.resolve("logs").toString(), "--pidfile", tmp.resolve("pid").toString()));
            if (mode.equals("--config_check")) args.add(mode);
            Process p = new ProcessBuilder(DaemonProcess.command("io.hostql.daemon.Hostqld", args.toArray(new String[0])))
                    .redirectErrorStream(true).start();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(mode).isEqualTo(1);
            assertThat(out).as(mode).contains("alerts.typo_rule.where: no such column: acton").doesNotContain("\tat ");
        }
    }

    private static List<String> lines(Path p) {
        try {
            return Files.exists(p) ? Files.readAllLines(p) : List.of();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }
}
