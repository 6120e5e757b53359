package io.hostql.daemon;

import static io.hostql.daemon.DaemonProcess.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.hostql.loggers.FilesystemLogger;
import io.hostql.loggers.HostIdentifier;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The splunk_hec logger plugin against an HTTP Event Collector written in this test from Splunk's
 * published HEC specification (there is no Splunk on these machines): {@code /services/collector/event}
 * taking concatenated event objects with {@code Authorization: Splunk <token>}, its JSON answers
 * ({@code {"text":"Success","code":0}}, 401 code 2, 403 code 4 "Invalid token", 503 code 9 "Server is
 * busy", 400 code 6 with {@code invalid-event-number}), and indexer acknowledgement: with
 * {@code X-Splunk-Request-Channel} each request gets an {@code ackId}, and {@code /services/collector/ack}
 * answers {@code {"acks":{"<id>":true|false}}}.
 */
class SplunkHecEndToEndTest {
    static final ObjectMapper M = new ObjectMapper();
    static final String TOKEN = "7f3c6a8e-0b1d-4e59-9a2f-hec-test-token";

    @TempDir
    Path tmp;

    /** The HEC receiver. */
    static final class Hec implements AutoCloseable {
        final HttpServer server;
        final List<JsonNode> events = new ArrayList<>(); // indexed events, in order
        final Map<Long, List<JsonNode>> unacked = new ConcurrentHashMap<>(); // ackId -> events waiting to be indexed
        final Set<String> channels = ConcurrentHashMap.newKeySet();
        final AtomicInteger ackPolls = new AtomicInteger();
        final AtomicInteger heldPolls = new AtomicInteger(); // polls answered with every acknowledgement held
        final AtomicInteger requests = new AtomicInteger();
        final AtomicInteger nextAckId = new AtomicInteger();
        volatile boolean busy, holdAcks;
        volatile String refuseContaining; // an event holding this is invalid (code 6)

        Hec() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/services/collector/event", this::event);
            server.createContext("/services/collector/ack", this::ack);
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        List<JsonNode> events() {
            synchronized (events) {
                return new ArrayList<>(events);
            }
        }

        private static void answer(HttpExchange x, int status, String json) throws IOException {
            byte[] b = json.getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().set("Content-Type", "application/json");
            x.sendResponseHeaders(status, b.length);
            x.getResponseBody().write(b);
            x.close();
        }

        /** The token check every HEC endpoint does first; false when it answered. */
        private boolean authorized(HttpExchange x) throws IOException {
            String auth = x.getRequestHeaders().getFirst("Authorization");
            if (auth == null) {
                answer(x, 401, "{\"text\":\"Token is required\",\"code\":2}");
                return false;
            }
            if (!auth.equals("Splunk " + TOKEN)) {
                answer(x, 403, "{\"text\":\"Invalid token\",\"code\":4}");
                return false;
            }
            return true;
        }

        private void event(HttpExchange x) throws IOException {
            requests.incrementAndGet();
            byte[] body = x.getRequestBody().readAllBytes();
            if (!authorized(x)) return;
            if (busy) {
                answer(x, 503, "{\"text\":\"Server is busy\",\"code\":9}");
                return;
            }
            List<JsonNode> batch = new ArrayList<>();
            try (MappingIterator<JsonNode> it = M.readerFor(JsonNode.class).readValues(body)) {
                while (it.hasNext()) batch.add(it.next());
            }
            for (int i = 0; i < batch.size(); i++) {
                JsonNode e = batch.get(i);
                String r = refuseContaining;
                if (!e.has("event") || r != null && e.get("event").toString().contains(r)) {
                    // HEC indexes nothing of a request with an invalid event and names the first one.
                    answer(x, 400, "{\"text\":\"Invalid data format\",\"code\":6,\"invalid-event-number\":" + i + "}");
                    return;
                }
            }
            String channel = x.getRequestHeaders().getFirst("X-Splunk-Request-Channel");
            if (channel == null) {
                synchronized (events) {
                    events.addAll(batch);
                }
                answer(x, 200, "{\"text\":\"Success\",\"code\":0}");
                return;
            }
            channels.add(channel);
            long id = nextAckId.getAndIncrement();
            unacked.put(id, batch);
            answer(x, 200, "{\"text\":\"Success\",\"code\":0,\"ackId\":" + id + "}");
        }

        private void ack(HttpExchange x) throws IOException {
            byte[] body = x.getRequestBody().readAllBytes();
            if (!authorized(x)) return;
            if (x.getRequestHeaders().getFirst("X-Splunk-Request-Channel") == null) {
                answer(x, 400, "{\"text\":\"Data channel is missing\",\"code\":10}");
                return;
            }
            ackPolls.incrementAndGet();
            boolean hold = holdAcks; // once per poll, so that a poll is either held or not
            Map<String, Boolean> acks = new HashMap<>();
            for (JsonNode id : M.readTree(body).get("acks")) {
                boolean done = !hold;
                List<JsonNode> batch = done ? unacked.remove(id.asLong()) : null;
                if (batch != null) {
                    synchronized (events) {
                        events.addAll(batch);
                    }
                }
                acks.put(id.asText(), done);
            }
            answer(x, 200, M.writeValueAsString(Map.of("acks", acks)));
            if (hold) heldPolls.incrementAndGet();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    Path schedule(String name) throws IOException {
        return Files.writeString(tmp.resolve("hostql.conf"), """
                {"schedule": {
                   "%s": {"query": "SELECT t.unix_time, n.value FROM time t, (SELECT '1' AS value UNION ALL SELECT 'x' UNION ALL SELECT '3') n",
                          "interval": 1, "removed": false},
                   "%s_status": {"query": "SELECT plugin, target, state, delivered, pending, dropped, last_error FROM hostql_logger_status",
                                 "interval": 1, "snapshot": true}
                 }}
                """.formatted(name, name));
    }

    String[] flags(Hec hec, String token, String... more) throws IOException {
        Path tokenFile = Files.writeString(tmp.resolve("hec-token"), token + "\n");
        List<String> f = new ArrayList<>(List.of("--logger_plugin", "filesystem,splunk_hec", "--logger_splunk_url", hec.url(),
                "--logger_splunk_token_file", tokenFile.toString(), "--disable_events"));
        f.addAll(List.of(more));
        return f.toArray(new String[0]);
    }

    static List<JsonNode> eventsOf(List<JsonNode> events, String name) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : events) if (name.equals(e.path("event").path("name").asText())) out.add(e.get("event"));
        return out;
    }

    static List<JsonNode> fileLines(Path file, String name) {
        return ElasticsearchEndToEndTest.fileLines(file, name);
    }

    static boolean allArrived(Hec hec, Path results, String name) {
        Set<String> got = new HashSet<>();
        eventsOf(hec.events(), name).forEach(e -> got.add(ElasticsearchEndToEndTest.key(e)));
        return fileLines(results, name).stream().allMatch(l -> got.contains(ElasticsearchEndToEndTest.key(l)));
    }

    @Test
    void linesArriveAsHecEventsWithAckOffAndOnAndTheCursorWaitsForTheAck() throws Exception {
        for (boolean ack : List.of(false, true)) {
            String name = ack ? "hec_ack_rows" : "hec_rows";
            try (Hec hec = new Hec()) {
                Path data = tmp.resolve("data-" + name);
                try (DaemonProcess d = DaemonProcess.start(schedule(name), data, flags(hec, TOKEN, "--logger_splunk_ack=" + ack))) {
                    Path results = d.logs.resolve(FilesystemLogger.RESULTS);
                    waitFor(() -> eventsOf(hec.events(), name).size() >= 6, 60, "result events at HEC");
                    JsonNode first = hec.events().stream().filter(e -> name.equals(e.path("event").path("name").asText())).findFirst().orElseThrow();
                    assertThat(first.get("sourcetype").asText()).isEqualTo("osquery:results");
                    assertThat(first.get("host").asText()).isEqualTo(HostIdentifier.hostname());
                    assertThat(first.get("time").asLong()).isEqualTo(first.get("event").get("unixTime").asLong());
                    // The event is the filesystem line, osquery's keys and types.
                    assertThat(fileLines(results, name)).contains(first.get("event"));
                    assertThat(SchedulerEndToEndTest.fieldNames(first.get("event"))).containsExactly("name", "hostIdentifier", "calendarTime",
                            "unixTime", "epoch", "counter", "numerics", "columns", "action");
                    waitFor(() -> hec.events().stream().anyMatch(e -> e.path("sourcetype").asText().equals("osquery:status")
                            && e.path("event").path("message").asText().contains("hostqld started")), 30, "the start's status event");
                    if (ack) {
                        assertThat(hec.channels).hasSize(1);
                        assertThat(hec.ackPolls.get()).isPositive();
                        // Acknowledgements held: HEC took the requests, but nothing counts as delivered until it acknowledges them.
                        hec.holdAcks = true;
                        // A poll that began before the hold can still index its batch: count from the first held poll
                        // (the server answers one exchange at a time, so every earlier one is done by then).
                        waitFor(() -> hec.heldPolls.get() > 0, 30, "an acknowledgement poll answered while held");
                        Path snapshots = d.logs.resolve(FilesystemLogger.SNAPSHOTS);
                        int held = eventsOf(hec.events(), name).size();
                        int requests = hec.requests.get();
                        waitFor(() -> statusRows(snapshots, name).stream().anyMatch(r -> r.path("pending").asLong() >= 6), 30,
                                "lines pending while HEC holds its acknowledgements");
                        // At most one more request (the batch whose ack is held), polled for, not resent.
                        assertThat(hec.requests.get()).isBetween(requests, requests + 1);
                        assertThat(eventsOf(hec.events(), name)).hasSize(held);
                        hec.holdAcks = false;
                        waitFor(() -> {
                            List<JsonNode> rows = statusRows(snapshots, name);
                            return rows.get(rows.size() - 1).path("pending").asLong() < 6;
                        }, 30, "the lines delivered once acknowledged");
                    }
                    assertThat(d.stop()).isZero();
                    assertThat(allArrived(hec, results, name)).isTrue();
                }
            }
        }
    }

    static List<JsonNode> statusRows(Path snapshots, String name) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode l : fileLines(snapshots, name + "_status")) for (JsonNode row : l.get("snapshot")) out.add(row);
        return out;
    }

    @Test
    void everyLineArrivesAcrossA503BusySpellAndAKill9() throws Exception {
        String name = "hec_busy_rows";
        try (Hec hec = new Hec()) {
            Path conf = schedule(name);
            Path data = tmp.resolve("data");
            String[] f = flags(hec, TOKEN, "--logger_splunk_ack=true");
            DaemonProcess d = DaemonProcess.start(conf, data, f);
            try {
                waitFor(() -> eventsOf(hec.events(), name).size() >= 3, 60, "the first events");
                hec.busy = true;
                Path results = d.logs.resolve(FilesystemLogger.RESULTS);
                d = ElasticsearchEndToEndTest.killAndRestartWhileReceiverIsAway(d, conf, data, f, name);
                DaemonProcess restarted = d;
                hec.busy = false;
                waitFor(() -> allArrived(hec, results, name), 90, "every line written to the results file at HEC");
                assertThat(restarted.stop()).isZero();
                Map<String, Integer> counts = new HashMap<>();
                List<JsonNode> got = eventsOf(hec.events(), name);
                for (JsonNode e : got) counts.merge(ElasticsearchEndToEndTest.key(e), 1, Integer::sum);
                assertThat(got.size() - counts.size()).as("duplicates (at most the batch in flight at the kill)")
                        .isLessThanOrEqualTo(SyslogEndToEndTest.BATCH_LINES);
                String status = Files.readString(restarted.logs.resolve(StatusLog.FILE_NAME));
                // One line per process (the busy spell spans the restart), not one per retry.
                assertThat(SyslogEndToEndTest.occurrences(status, "logger splunk_hec: cannot deliver to " + hec.url() + "/: HEC is busy"
                        + " (HTTP 503 Server is busy (code 9))")).isEqualTo(2);
            } finally {
                d.close();
            }
        }
    }

    @Test
    void aBadTokenIsOneClearStatusLineWithoutTheTokenAndTheLinesWaitForTheRightOne() throws Exception {
        String name = "hec_token_rows";
        String wrong = "wrong-token-1e5a9c";
        try (Hec hec = new Hec()) {
            Path conf = schedule(name);
            Path data = tmp.resolve("data");
            Path results;
            try (DaemonProcess d = DaemonProcess.start(conf, data, flags(hec, wrong))) {
                results = d.logs.resolve(FilesystemLogger.RESULTS);
                waitFor(() -> fileLines(results, name).size() >= 6 && hec.requests.get() >= 2, 30, "lines and refused requests");
                assertThat(d.stop()).isZero();
                String status = Files.readString(d.logs.resolve(StatusLog.FILE_NAME));
                assertThat(SyslogEndToEndTest.occurrences(status, "logger splunk_hec: cannot deliver to")).isEqualTo(1);
                assertThat(status).contains("HEC refused the token (HTTP 403 Invalid token (code 4)); check logger_splunk_token_file");
                assertThat(status + d.output()).doesNotContain(wrong).doesNotContain(TOKEN);
                assertThat(hec.events()).isEmpty();
            }
            // The right token: what waited in the outbox arrives, the refused requests lost nothing.
            try (DaemonProcess d = DaemonProcess.start(conf, data, flags(hec, TOKEN))) {
                waitFor(() -> allArrived(hec, results, name), 60, "every line once the token is right");
                assertThat(d.stop()).isZero();
            }
        }
    }

    @Test
    void anEventHecCanNeverTakeIsCountedAndTheRestOfItsBatchArrives() throws Exception {
        String name = "hec_refused_rows";
        try (Hec hec = new Hec()) {
            hec.refuseContaining = "\"value\":\"x\"";
            Path data = tmp.resolve("data");
            try (DaemonProcess d = DaemonProcess.start(schedule(name), data, flags(hec, TOKEN))) {
                String losses = "SELECT count, reason FROM hostql_event_losses WHERE source = 'logger:splunk_hec'";
                waitFor(() -> DaemonProcess.query(data, losses).rows().size() >= 2, 60, "the refused lines' loss records");
                assertThat(DaemonProcess.query(data, losses).rows().get(0)[1].toString()).contains("was refused")
                        .contains("HEC refused the event: HTTP 400 Invalid data format (code 6)");
                Path results = d.logs.resolve(FilesystemLogger.RESULTS);
                List<JsonNode> then = fileLines(results, name).stream().filter(n -> !n.get("columns").get("value").asText().equals("x")).toList();
                waitFor(() -> eventsOf(hec.events(), name).containsAll(then), 60, "the other lines of the batches");
                assertThat(d.stop()).isZero();
                assertThat(eventsOf(hec.events(), name)).noneMatch(n -> n.get("columns").get("value").asText().equals("x"));
            }
        }
    }
}
