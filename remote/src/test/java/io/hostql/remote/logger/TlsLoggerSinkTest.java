package io.hostql.remote.logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.hostql.config.Settings;
import io.hostql.events.LogLineEvent;
import io.hostql.remote.testserver.Pki;
import io.hostql.remote.testserver.TlsTestServer;
import io.hostql.remote.transport.RemoteClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tls logger's requests, as osquery's TLS logger sends them. */
class TlsLoggerSinkTest {
    @TempDir
    static Path shared;
    static TlsTestServer server;
    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Pki.available(), "needs the openssl command to make test certificates (scripts/install-deps installs it)");
        server = TlsTestServer.start(Pki.create(shared.resolve("pki")).server(), null);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    TlsLoggerSink sink(String... extra) throws Exception {
        Files.writeString(tmp.resolve("secret"), "s3cret");
        List<String> args = new ArrayList<>(List.of("--tls_hostname", server.hostname(), "--tls_server_certs",
                shared.resolve("pki").resolve("ca.pem").toString(), "--enroll_tls_endpoint", TlsTestServer.ENROLL, "--enroll_secret_path",
                tmp.resolve("secret").toString(), "--logger_tls_endpoint", TlsTestServer.LOG, "--logger_tls_period", "0"));
        args.addAll(List.of(extra));
        Settings s = Settings.parse(args.toArray(new String[0]), Map.of());
        return new TlsLoggerSink(RemoteClient.create(s, tmp, "host-1", JsonNodeFactory.instance::objectNode), s);
    }

    static LogLineEvent line(LogLineEvent.Kind kind, String json) {
        return new LogLineEvent(0, 0, 0, kind, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void resultAndStatusLinesGoInOsquerysBodiesSplitByMaxLines() throws Exception {
        server.logs.clear();
        List<LogLineEvent> lines = new ArrayList<>();
        for (int i = 0; i < 5; i++) lines.add(line(LogLineEvent.Kind.RESULT, "{\"name\":\"q\",\"n\":" + i + "}"));
        lines.add(line(LogLineEvent.Kind.SNAPSHOT, "{\"name\":\"snap\",\"snapshot\":[]}"));
        lines.add(line(LogLineEvent.Kind.STATUS, "{\"severity\":\"0\",\"message\":\"started\"}"));
        lines.add(line(LogLineEvent.Kind.RESULT, "not json"));
        lines.add(line(LogLineEvent.Kind.RESULT, "{\"name\":\"big\",\"v\":\"" + "x".repeat(200) + "\"}"));
        List<String> refused = new ArrayList<>();
        TlsLoggerSink sink = sink("--logger_tls_max_lines", "4", "--logger_tls_max_linesize", "100");
        assertThat(sink.maxBatchLines()).as("the delivery layer's batch: one request's lines").isEqualTo(4);
        sink.deliver(lines, (l, why) -> refused.add(why));

        assertThat(server.logs.stream().map(b -> b.path("log_type").asText() + ":" + b.path("data").size()))
                .containsExactly("result:4", "result:2", "status:1");
        for (JsonNode b : server.logs) assertThat(server.validKeys).containsEntry(b.path("node_key").asText(), true);
        assertThat(server.logLines("result").stream().map(n -> n.path("name").asText() + n.path("n").asText()))
                .containsExactly("q0", "q1", "q2", "q3", "q4", "snap");
        assertThat(server.logLines("status")).singleElement().satisfies(n -> assertThat(n.path("message").asText()).isEqualTo("started"));
        assertThat(refused).hasSize(2);
        assertThat(refused.get(0)).startsWith("not a JSON line");
        assertThat(refused.get(1)).isEqualTo("longer than --logger_tls_max_linesize (100 bytes)");
    }

    @Test
    void compressedOnlyWhenAskedAndStatusOnlyWhenWanted() throws Exception {
        server.logs.clear();
        int before = server.requests(TlsTestServer.LOG).size();
        TlsLoggerSink sink = sink("--logger_tls_compress", "--tls_disable_status_log");
        assertThat(sink.takesStatus()).isFalse();
        sink.deliver(List.of(line(LogLineEvent.Kind.RESULT, "{\"name\":\"z\"}")), (l, why) -> {});
        TlsTestServer.Request r = server.requests(TlsTestServer.LOG).get(before);
        assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
        assertThat(r.header("Content-Length")).isEqualTo(Integer.toString(r.raw().length));
        assertThat(server.logLines("result")).singleElement().satisfies(n -> assertThat(n.path("name").asText()).isEqualTo("z"));
        assertThat(sink().takesStatus()).isTrue();
    }

    @Test
    void onePeriodBetweenRequests() throws Exception {
        TlsLoggerSink sink = sink("--logger_tls_period", "1", "--logger_tls_max_lines", "1");
        long t0 = System.nanoTime();
        sink.deliver(List.of(line(LogLineEvent.Kind.RESULT, "{\"a\":1}"), line(LogLineEvent.Kind.RESULT, "{\"a\":2}")), (l, why) -> {});
        assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(1000);
    }
}
