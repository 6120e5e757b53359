package io.hostql.daemon;

import static io.hostql.daemon.DaemonProcess.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hostql.loggers.FilesystemLogger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stdout logger plugin alone: result and status lines as JSON on standard output, and no result files. */
class StdoutLoggerEndToEndTest {
    static final ObjectMapper M = new ObjectMapper();

    @TempDir
    Path tmp;

    static List<JsonNode> jsonLines(DaemonProcess d) {
        List<JsonNode> out = new ArrayList<>();
        for (String l : d.output().split("\n")) {
            if (!l.startsWith("{")) continue; // the status log's own copy on stderr is text
            try {
                out.add(M.readTree(l));
            } catch (Exception e) {
                throw new AssertionError("a line on stdout is not JSON: " + l, e);
            }
        }
        return out;
    }

    @Test
    void resultAndStatusLinesAreJsonOnStdout() throws Exception {
        Path conf = Files.writeString(tmp.resolve("hostql.conf"), """
                {"schedule": {"rows": {"query": "SELECT 1 AS a UNION ALL SELECT 2", "interval": 1},
                              "once": {"query": "SELECT 'x' AS s", "interval": 1, "snapshot": true}}}
                """);
        try (DaemonProcess d = DaemonProcess.start(conf, tmp.resolve("data"), "--logger_plugin", "stdout", "--disable_events",
                "--logger_min_status", "0")) {
            waitFor(() -> jsonLines(d).stream().filter(n -> n.path("name").asText().equals("rows")).count() >= 2
                    && jsonLines(d).stream().anyMatch(n -> n.path("name").asText().equals("once")), 30, "result lines on stdout");
            List<JsonNode> lines = jsonLines(d);
            JsonNode row = lines.stream().filter(n -> n.path("name").asText().equals("rows")).findFirst().orElseThrow();
            assertThat(SchedulerEndToEndTest.fieldNames(row)).containsExactly("name", "hostIdentifier", "calendarTime", "unixTime", "epoch",
                    "counter", "numerics", "columns", "action");
            assertThat(lines.stream().filter(n -> n.path("name").asText().equals("once")).findFirst().orElseThrow().get("action").asText())
                    .isEqualTo("snapshot");
            // Status lines: osquery's JSON status form, start-up lines included (kept until the plugins existed).
            assertThat(lines).anySatisfy(n -> {
                assertThat(SchedulerEndToEndTest.fieldNames(n)).containsExactly("hostIdentifier", "calendarTime", "unixTime", "severity",
                        "filename", "line", "message", "version");
                assertThat(n.get("message").asText()).startsWith("hostqld starting: pid " + d.pid());
                assertThat(n.get("severity").asInt()).isZero();
                assertThat(n.get("hostIdentifier").asText()).isEqualTo(SchedulerEndToEndTest.hostname());
            });
            assertThat(d.stop()).isZero();
            assertThat(d.logs.resolve(FilesystemLogger.RESULTS)).doesNotExist(); // filesystem was not listed
        }
    }
}
