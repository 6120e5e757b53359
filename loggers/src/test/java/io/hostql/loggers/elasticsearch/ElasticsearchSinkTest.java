package io.hostql.loggers.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.hostql.config.SettingsException;
import io.hostql.events.LogLineEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The parts of the elasticsearch plugin that a real node cannot be made to show on demand: items
 * rejected with 429 and sent again alone, the count of refusals when a batch completes, and the pieces
 * of a document (index name, @timestamp, id). The receiver here is written in the test from the
 * {@code _bulk} API's documented answer; the real node is in the daemon's ElasticsearchEndToEndTest.
 */
class ElasticsearchSinkTest {
    static final ObjectMapper M = new ObjectMapper();

    static LogLineEvent line(long seq, String json) {
        return new LogLineEvent(1_765_000_000_000_000_000L + seq, seq, 0, LogLineEvent.Kind.RESULT, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theIndexIsTheLinesDayInUtcAndABadPatternIsRefusedAtTheStart() {
        IndexPattern p = new IndexPattern("logger_elasticsearch_index", "osquery-results-%{+yyyy.MM.dd}");
        assertThat(p.name(Instant.parse("2026-12-31T23:59:59Z"))).isEqualTo("osquery-results-2026.12.31");
        assertThat(new IndexPattern("f", "fixed").name(Instant.EPOCH)).isEqualTo("fixed");
        assertThatThrownBy(() -> new IndexPattern("logger_elasticsearch_index", "Osquery")).isInstanceOf(SettingsException.class)
                .hasMessage("logger_elasticsearch_index 'Osquery': index names must be lowercase");
        assertThatThrownBy(() -> new IndexPattern("logger_elasticsearch_index", "x-%{yyyy}")).hasMessageContaining("is not a date");
        assertThatThrownBy(() -> new IndexPattern("logger_elasticsearch_index", "x-%{+yyyy")).hasMessageContaining("without a closing");
        assertThatThrownBy(() -> new IndexPattern("logger_elasticsearch_index", "a b")).hasMessageContaining("cannot hold ' '");
    }

    @Test
    void theDocumentIsTheLineWithTimestampLastAndItsIdFollowsTheOutboxRecord() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ElasticsearchSink.writeWithTimestamp(out, "{\"name\":\"q\",\"unixTime\":1}".getBytes(StandardCharsets.UTF_8), "1970-01-01T00:00:01Z");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("{\"name\":\"q\",\"unixTime\":1,\"@timestamp\":\"1970-01-01T00:00:01Z\"}");
        out.reset();
        ElasticsearchSink.writeWithTimestamp(out, "{ }".getBytes(StandardCharsets.UTF_8), "t");
        assertThat(M.readTree(out.toByteArray()).get("@timestamp").asText()).isEqualTo("t");
        // Two equal lines are two documents; the same record sent twice is one.
        assertThat(ElasticsearchSink.documentId(line(1, "{}"))).isEqualTo(ElasticsearchSink.documentId(line(1, "{}")))
                .isNotEqualTo(ElasticsearchSink.documentId(line(2, "{}")));
    }

    /** A _bulk endpoint: 429 for the first attempt at each document holding "busy", 400 for any holding "bad", 409 for an id it has. */
    static final class Bulk implements AutoCloseable {
        final HttpServer server;
        final Map<String, JsonNode> docs = new HashMap<>();
        final Map<String, Integer> attempts = new HashMap<>();
        final List<Integer> requestSizes = new ArrayList<>();

        Bulk() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/_bulk", x -> {
                String[] lines = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("\n");
                StringBuilder items = new StringBuilder();
                synchronized (this) {
                    requestSizes.add(lines.length / 2);
                    for (int i = 0; i + 1 < lines.length; i += 2) {
                        String id = M.readTree(lines[i]).get("create").get("_id").asText();
                        JsonNode doc = M.readTree(lines[i + 1]);
                        int n = attempts.merge(id, 1, Integer::sum);
                        int status = docs.containsKey(id) ? 409 : lines[i + 1].contains("busy") && n == 1 ? 429 : lines[i + 1].contains("bad") ? 400 : 201;
                        if (status == 201) docs.put(id, doc);
                        String error = status == 201 ? "" : ",\"error\":{\"type\":\"" + (status == 400 ? "mapper_parsing_exception" : "x")
                                + "\",\"reason\":\"r\"}";
                        items.append(items.length() == 0 ? "" : ",").append("{\"create\":{\"status\":").append(status).append(error).append("}}");
                    }
                }
                byte[] b = ("{\"errors\":true,\"items\":[" + items + "]}").getBytes(StandardCharsets.UTF_8);
                x.sendResponseHeaders(200, b.length);
                x.getResponseBody().write(b);
                x.close();
            });
            server.start();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    @Test
    void itemsRejectedWith429AreSentAgainAloneAndRefusalsAreCountedOnce() throws Exception {
        try (Bulk bulk = new Bulk()) {
            ElasticsearchSink sink = new ElasticsearchSink(List.of(URI.create("http://127.0.0.1:" + bulk.server.getAddress().getPort() + "/")),
                    new IndexPattern("i", "r"), new IndexPattern("s", "s"), null, null);
            List<LogLineEvent> batch = List.of(line(1, "{\"v\":\"ok\"}"), line(2, "{\"v\":\"busy\"}"), line(3, "{\"v\":\"bad\"}"), line(4, "{\"v\":\"ok\"}"));
            List<String> refused = new ArrayList<>();
            sink.deliver(batch, (l, reason) -> refused.add(new String(l.line(), StandardCharsets.UTF_8) + " " + reason));
            assertThat(bulk.requestSizes).containsExactly(4, 1); // the busy one alone the second time
            assertThat(bulk.docs).hasSize(3);
            assertThat(refused).containsExactly("{\"v\":\"bad\"} the receiver refused the document: 400 mapper_parsing_exception: r");
            // The same batch again (a retry after a crash): every document meets its copy, nothing new, the same refusal.
            refused.clear();
            sink.deliver(batch, (l, reason) -> refused.add(reason));
            assertThat(bulk.docs).hasSize(3);
            assertThat(refused).hasSize(1);
        }
    }

    @Test
    void aReceiverThatCannotBeReachedFailsTheBatchNamingIt() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ElasticsearchSink sink = new ElasticsearchSink(List.of(URI.create("http://127.0.0.1:" + port + "/")), new IndexPattern("i", "r"),
                new IndexPattern("s", "s"), null, null);
        assertThatThrownBy(() -> sink.deliver(List.of(line(1, "{}")), (l, r) -> {})).isInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot send to http://127.0.0.1:" + port + "/_bulk");
    }
}
