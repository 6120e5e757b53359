package io.hostql.daemon;

import static io.hostql.daemon.DaemonProcess.waitFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hostql.loggers.FilesystemLogger;
import io.hostql.remote.config.TlsConfig;
import io.hostql.remote.testserver.Pki;
import io.hostql.remote.testserver.TlsTestServer;
import io.hostql.remote.testserver.TlsTestServer.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * hostqld managed by an osquery manager (the test's TlsTestServer): it enrolls, runs the served
 * config's schedule and sends the results to the log endpoint in osquery's format; a new config
 * replaces it, a malformed one is refused and the running one kept; a restart with the manager down
 * runs the cached config; bad replies are one status line each and the daemon runs on.
 */
class RemoteEndToEndTest {
    @TempDir
    static Path shared;
    static Pki pki;
    @TempDir
    Path tmp;
    TlsTestServer server;

    @BeforeAll
    static void certificates() throws Exception {
        assumeTrue(Pki.available(), "needs the openssl command to make test certificates (scripts/install-deps installs it)");
        pki = Pki.create(shared.resolve("pki"));
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    static String schedule(String name) {
        return """
                {"schedule": {"%s": {"query": "SELECT unix_time FROM time", "interval": 1, "removed": false},
                              "remote_status": {"query": "SELECT endpoint, config_hash, node_key_age, last_error FROM hostql_remote_status",
                                                "interval": 1, "snapshot": true}},
                 "options": {"host_identifier": "hostname"}}
                """.formatted(name);
    }

    DaemonProcess daemon(String... extra) throws Exception {
        Path secret = tmp.resolve("secret");
        if (!Files.exists(secret)) {
            Files.writeString(secret, "s3cret\n");
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        }
        List<String> args = new ArrayList<>(List.of("--disable_events", "--config_plugin", "tls", "--tls_hostname", "localhost:" + port,
                "--tls_server_certs", pki.ca.toString(), "--enroll_tls_endpoint", TlsTestServer.ENROLL, "--enroll_secret_path",
                secret.toString(), "--config_tls_endpoint", TlsTestServer.CONFIG, "--config_refresh", "1", "--config_accelerated_refresh",
                "1", "--config_tls_max_attempts", "1", "--logger_plugin", "filesystem,tls", "--logger_tls_endpoint", TlsTestServer.LOG,
                "--logger_tls_period", "1", "--tls_request_timeout", "5"));
        args.addAll(List.of(extra));
        return DaemonProcess.start(tmp.resolve("unused.conf"), tmp.resolve("data"), args.toArray(new String[0]));
    }

    int port;

    List<JsonNode> results(String name) {
        return server.logLines("result").stream().filter(n -> n.path("name").asText().equals(name)).toList();
    }

    static long count(String text, String part) {
        long n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) n++;
        return n;
    }

    @Test
    void theServedScheduleRunsItsResultsReachTheManagerAndTheCachedConfigRunsWhenItIsDown() throws Exception {
        server = TlsTestServer.start(pki.server(), null);
        port = server.port();
        server.config = TlsTestServer.JSON.readTree(schedule("first"));
        try (DaemonProcess d = daemon()) {
            waitFor(() -> results("first").size() >= 2, 60, "results of the served schedule at the log endpoint");
            JsonNode line = results("first").get(0);
            assertThat(line.path("hostIdentifier").asText()).isNotEmpty();
            assertThat(line.path("action").asText()).isIn("added", "removed");
            assertThat(line.path("columns").has("unix_time")).isTrue();
            assertThat(line.has("calendarTime") && line.has("unixTime") && line.has("epoch") && line.has("counter")).isTrue();
            assertThat(server.enrollments()).isEqualTo(1);
            assertThat(server.logLines("status")).anySatisfy(s -> assertThat(s.path("message").asText()).contains("hostqld started"));
            waitFor(() -> server.logLines("result").stream().anyMatch(n -> n.path("name").asText().equals("remote_status")
                    && n.path("snapshot").toString().contains("\"config_hash\":\"" )
                    && n.path("snapshot").toString().contains(TlsTestServer.CONFIG)), 30, "hostql_remote_status in a snapshot");
            Path cache = d.data.resolve(TlsConfig.CACHE_FILE);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache))).isEqualTo("rw-------");

            // A second config replaces the first.
            server.config = TlsTestServer.JSON.readTree(schedule("second"));
            waitFor(() -> results("second").size() >= 2, 60, "results of the second config");
            assertThat(Files.readString(cache)).contains("second").doesNotContain("first");
            long switched = System.currentTimeMillis() / 1000;
            Thread.sleep(3000);
            assertThat(results("first")).allSatisfy(n -> assertThat(n.path("unixTime").asLong()).isLessThanOrEqualTo(switched + 1));

            // A malformed one is refused, the second keeps running.
            server.config = TlsTestServer.JSON.readTree("{\"schedule\": {\"bad\": {\"query\": 5, \"interval\": \"often\"}}}");
            waitFor(() -> d.output().contains("refused, keeping the running config"), 30, "the malformed config refused");
            int before = results("second").size();
            waitFor(() -> results("second").size() > before + 1, 30, "the second config still running");
            assertThat(Files.readString(cache)).contains("second");
            assertThat(count(d.output(), "refused, keeping the running config")).as("one status line per distinct config").isEqualTo(1);
            assertThat(d.stop()).isZero();
        }

        // Restart with the manager down: the cached config runs.
        server.close();
        Path results = tmp.resolve("data-logs").resolve(FilesystemLogger.RESULTS);
        Files.deleteIfExists(results);
        try (DaemonProcess d = daemon()) {
            assertThat(d.output()).contains("running the cached one");
            waitFor(() -> SyslogEndToEndTest.fileLines(results, "second").size() >= 2, 120, "the cached config's results");
            assertThat(d.process.isAlive()).isTrue();
        }

        // --config_enable_backup=false (osquery's default): no copy kept, so a start with the manager down has no schedule.
        Path cache = tmp.resolve("data").resolve(TlsConfig.CACHE_FILE);
        assertThat(cache).exists();
        try (DaemonProcess d = daemon("--config_enable_backup=false")) {
            assertThat(d.output()).contains("removed the manager's cached config").doesNotContain("running the cached one");
            assertThat(cache).doesNotExist();
            int before = SyslogEndToEndTest.fileLines(results, "second").size();
            Thread.sleep(3000);
            assertThat(SyslogEndToEndTest.fileLines(results, "second")).hasSize(before);
        }
    }

    @Test
    void badRepliesAreOneStatusLineEachAndTheDaemonRunsOn() throws Exception {
        server = TlsTestServer.start(pki.server(), null);
        port = server.port();
        server.config = TlsTestServer.JSON.readTree(schedule("good"));
        try (DaemonProcess d = daemon()) {
            waitFor(() -> results("good").size() >= 1, 60, "the good config running");
            String[][] bad = {{"<html>garbage</html>", "the reply is not JSON"}, {"[\"not\", \"an object\"]", "the reply is a JSON array"},
                    {"{\"schedule\": {\"x\": {\"query\": \"SELECT 1\", \"interval\": 1, \"pad\": \"" + "p".repeat(9 << 20) + "\"}}}",
                            "the reply is larger than"}};
            for (String[] b : bad) {
                server.handle(TlsTestServer.CONFIG, r -> Reply.raw(200, b[0]));
                waitFor(() -> d.output().contains(b[1]), 30, b[1]);
                Thread.sleep(2500); // more refreshes fail the same way: no new line
                assertThat(count(d.output(), b[1])).as(b[1]).isEqualTo(1);
            }
            server.handle(TlsTestServer.CONFIG, r -> Reply.raw(200, "{}").delayed(8000));
            waitFor(() -> d.output().contains("timed out"), 30, "the slow server timing out");
            server.handle(TlsTestServer.CONFIG, r -> Reply.raw(200, "{\"padding\": \"" + "y".repeat(100_000) + "\"}").closingMidway());
            waitFor(() -> d.output().contains("the connection closed after"), 30, "the reply cut short");
            assertThat(d.process.isAlive()).isTrue();
            int before = results("good").size();
            waitFor(() -> results("good").size() > before, 30, "the running config's results still arriving");
            // The manager comes back with a new config: taken, and said so.
            server.config = TlsTestServer.JSON.readTree(schedule("back"));
            server.handle(TlsTestServer.CONFIG, r -> server.authorized(r, () -> Reply.json(server.config)));
            waitFor(() -> results("back").size() >= 1, 60, "the new config after the bad replies");
            assertThat(d.output()).contains("reachable again");
        }
    }

    /** Lines the manager has for the query name, by (action, unix_time); and the same from the local results file. */
    static java.util.Map<String, Integer> keys(List<JsonNode> lines) {
        java.util.Map<String, Integer> out = new java.util.HashMap<>();
        for (JsonNode n : lines) out.merge(n.path("action").asText() + ":" + n.path("columns").path("unix_time").asText(), 1, Integer::sum);
        return out;
    }

    /** Lines per log request in the outage test: a small batch, so that "at most one batch sent twice" bounds something. */
    static final int BATCH = 20;

    /**
     * The outage: the manager's log endpoint down for 60 s while the daemon logs a line a second; when it is
     * back, hostqld is killed with -9 right after its first delivery (the batch in flight may or may not be
     * acknowledged on disk), then restarted. Every line logged reaches the manager; at most one batch twice.
     */
    @Test
    void everyLineReachesTheManagerAcrossASixtySecondOutageAndAKill9() throws Exception {
        server = TlsTestServer.start(pki.server(), null);
        port = server.port();
        server.config = TlsTestServer.JSON.readTree(schedule("steady"));
        Path results = tmp.resolve("data-logs").resolve(FilesystemLogger.RESULTS);
        java.util.function.Function<TlsTestServer.Request, Reply> up = server.handler(TlsTestServer.LOG);
        String[] flags = {"--logger_tls_max_lines", Integer.toString(BATCH), "--logger_tls_backoff_max", "2"};
        try (DaemonProcess d = daemon(flags)) {
            waitFor(() -> results("steady").size() >= 2, 60, "results at the log endpoint");
            server.handle(TlsTestServer.LOG, r -> Reply.raw(503, "{\"error\": \"down for maintenance\"}")); // the outage
            int atOutage = SyslogEndToEndTest.fileLines(results, "steady").size();
            long downSince = System.nanoTime();
            Thread.sleep(60_000);
            int duringOutage = SyslogEndToEndTest.fileLines(results, "steady").size() - atOutage;
            assertThat(duringOutage).as("lines logged during the 60 s outage").isGreaterThanOrEqualTo(30);
            int requestsBefore = server.logs.size();
            server.handle(TlsTestServer.LOG, up);
            // --logger_tls_backoff_max 2: retries at most 3 s apart (with jitter), so the backlog goes within seconds of the return.
            waitFor(() -> server.logs.size() > requestsBefore, 30, "a delivery after the outage");
            d.kill9();
            assertThat((System.nanoTime() - downSince) / 1e9).as("seconds from the outage to the kill").isGreaterThanOrEqualTo(60);
        }
        try (DaemonProcess d = daemon(flags)) {
            int local = SyslogEndToEndTest.fileLines(results, "steady").size();
            waitFor(() -> SyslogEndToEndTest.fileLines(results, "steady").size() >= local + 2, 60, "lines after the restart");
            List<JsonNode> file = new ArrayList<>();
            for (String l : SyslogEndToEndTest.fileLines(results, "steady")) file.add(TlsTestServer.JSON.readTree(l));
            waitFor(() -> keys(results("steady")).keySet().containsAll(keys(file).keySet()), 90, "every local line at the manager");
            int duplicates = 0;
            for (int n : keys(results("steady")).values()) duplicates += n - 1;
            assertThat(duplicates).as("lines sent twice (at most the batch in flight at the kill)").isLessThanOrEqualTo(BATCH);
            for (JsonNode body : server.logs) assertThat(body.path("data").size()).isLessThanOrEqualTo(BATCH);
        }
    }
}
