package io.hostql.daemon;

import static io.hostql.daemon.DaemonProcess.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hostql.loggers.FilesystemLogger;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The elasticsearch logger plugin against a real OpenSearch 2.19 node (started once for the class, as a
 * child JVM on a free loopback port): documents arrive with osquery's keys and types, in an index per
 * day; every line arrives across a node outage and a {@code kill -9} of hostqld, without a duplicate
 * (document ids); a mapping conflict refuses only the lines it concerns and counts them; a receiver
 * that answers garbage or closes mid-batch costs one status line and no line.
 */
class ElasticsearchEndToEndTest {
    @TempDir
    static Path shared;
    @TempDir
    Path tmp;
    static OpenSearchNode node;

    @BeforeAll
    static void startNode() throws Exception {
        node = OpenSearchNode.start(shared.resolve("opensearch"));
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (node != null) node.close();
    }

    static String[] flags(String urls, String... more) {
        List<String> f = new ArrayList<>(List.of("--logger_plugin", "filesystem,elasticsearch", "--logger_elasticsearch_urls", urls,
                "--disable_events"));
        f.addAll(List.of(more));
        return f.toArray(new String[0]);
    }

    /** The documents of one query, as the lines were written (without the @timestamp and _index the test reads beside them). */
    static List<JsonNode> linesOf(List<JsonNode> docs, String name) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode d : docs) {
            if (!name.equals(d.path("name").asText())) continue;
            ObjectNode copy = d.deepCopy();
            copy.remove("@timestamp");
            copy.remove("_index");
            out.add(copy);
        }
        return out;
    }

    static List<JsonNode> fileLines(Path file, String name) {
        List<JsonNode> out = new ArrayList<>();
        for (String l : SyslogEndToEndTest.fileLines(file, name)) {
            try {
                out.add(OpenSearchNode.M.readTree(l));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    static String key(JsonNode n) {
        return n.get("name").asText() + "/" + n.get("epoch").asLong() + "/" + n.get("counter").asLong() + "/" + n.get("columns");
    }

    Path schedule(String name, String rows) throws IOException {
        return Files.writeString(tmp.resolve("hostql.conf"), """
                {"schedule": {
                   "%s": {"query": "SELECT t.unix_time, n.value FROM time t, (%s) n", "interval": 1, "removed": false}
                 }}
                """.formatted(name, rows));
    }

    /**
     * The outage of the logger tests, with the receiver away: lines produced, hostqld killed with kill -9 and
     * started again on the same data dir, more lines produced. Returns the restarted daemon.
     */
    static DaemonProcess killAndRestartWhileReceiverIsAway(DaemonProcess d, Path conf, Path data, String[] flags, String name) throws Exception {
        Path results = d.logs.resolve(FilesystemLogger.RESULTS);
        int before = fileLines(results, name).size();
        waitFor(() -> fileLines(results, name).size() >= before + 9, 30, "lines produced while the receiver is away");
        d.kill9();
        DaemonProcess restarted = DaemonProcess.start(conf, data, flags);
        int afterRestart = fileLines(results, name).size();
        waitFor(() -> fileLines(results, name).size() >= afterRestart + 6, 30, "lines produced after the restart");
        return restarted;
    }

    static final String THREE_ROWS = "SELECT '1' AS value UNION ALL SELECT '2' UNION ALL SELECT '3'";

    @Test
    void resultAndStatusLinesArriveWithOsquerysKeysAndTypesInAnIndexPerDay() throws Exception {
        String name = "es_rows";
        Path data = tmp.resolve("data");
        try (DaemonProcess d = DaemonProcess.start(schedule(name, THREE_ROWS), data, flags(node.url()))) {
            Path results = d.logs.resolve(FilesystemLogger.RESULTS);
            waitFor(() -> linesOf(node.documents("osquery-results-*"), name).size() >= 6, 90, "result documents in OpenSearch");
            List<JsonNode> docs = node.documents("osquery-results-*");
            List<JsonNode> got = linesOf(docs, name);
            // Each document is the filesystem line: the same keys, in osquery's order, with the same JSON types.
            List<JsonNode> written = fileLines(results, name);
            assertThat(written).containsAll(got);
            assertThat(SchedulerEndToEndTest.fieldNames(got.get(0))).containsExactly("name", "hostIdentifier", "calendarTime", "unixTime",
                    "epoch", "counter", "numerics", "columns", "action");
            assertThat(got.get(0).get("unixTime").isIntegralNumber()).isTrue();
            assertThat(got.get(0).get("columns").get("value").isTextual()).isTrue();
            // The index is the line's day (UTC) and @timestamp its unixTime.
            DateTimeFormatter day = DateTimeFormatter.ofPattern("yyyy.MM.dd").withZone(ZoneOffset.UTC);
            assertThat(docs).filteredOn(n -> name.equals(n.path("name").asText())).allSatisfy(n -> {
                Instant at = Instant.ofEpochSecond(n.get("unixTime").asLong());
                assertThat(n.get("_index").asText()).isEqualTo("osquery-results-" + day.format(at));
                assertThat(n.get("@timestamp").asText()).isEqualTo(at.toString());
            });
            // Status lines in their own index, osquery's status keys.
            waitFor(() -> node.documents("osquery-status-*").stream().anyMatch(n -> n.path("message").asText().contains("hostqld started")),
                    30, "the start's status line in OpenSearch");
            JsonNode status = node.documents("osquery-status-*").stream().filter(n -> n.path("message").asText().contains("hostqld started"))
                    .findFirst().orElseThrow();
            assertThat(status.get("severity").asInt()).isZero();
            assertThat(status.get("hostIdentifier").asText()).isNotEmpty();
            assertThat(d.stop()).isZero();
        }
    }

    @Test
    void everyLineArrivesOnceAcrossANodeOutageAndAKill9() throws Exception {
        String name = "es_outage_rows";
        Path conf = schedule(name, THREE_ROWS);
        Path data = tmp.resolve("data");
        String[] f = flags(node.url());
        DaemonProcess d = DaemonProcess.start(conf, data, f);
        try {
            waitFor(() -> linesOf(node.documents("osquery-results-*"), name).size() >= 3, 90, "the first documents");
            node.stop();
            Path results = d.logs.resolve(FilesystemLogger.RESULTS);
            d = killAndRestartWhileReceiverIsAway(d, conf, data, f, name);
            DaemonProcess restarted = d;
            node.start();
            Set<String> produced = new HashSet<>();
            waitFor(() -> {
                produced.clear();
                fileLines(results, name).forEach(l -> produced.add(key(l)));
                Set<String> got = new HashSet<>();
                linesOf(node.documents("osquery-results-*"), name).forEach(l -> got.add(key(l)));
                return got.containsAll(produced);
            }, 120, "every line written to the results file to arrive in OpenSearch");
            assertThat(restarted.stop()).isZero();

            List<JsonNode> got = linesOf(node.documents("osquery-results-*"), name);
            List<JsonNode> written = fileLines(results, name);
            Map<String, Integer> counts = new HashMap<>();
            for (JsonNode l : got) counts.merge(key(l), 1, Integer::sum);
            for (JsonNode l : written) assertThat(counts).containsKey(key(l));
            // Document ids make a resent batch meet its first copy: no duplicates, only the lines the results file repeats too.
            Map<String, Integer> writtenCounts = new HashMap<>();
            for (JsonNode l : written) writtenCounts.merge(key(l), 1, Integer::sum);
            counts.forEach((k, n) -> assertThat(n).as("copies of " + k).isLessThanOrEqualTo(Math.max(1, writtenCounts.getOrDefault(k, 0))));
            assertThat(Files.readString(restarted.logs.resolve(StatusLog.FILE_NAME))).contains("logger elasticsearch: cannot deliver to "
                    + node.url());
        } finally {
            d.close();
            node.start(); // running again for the other tests, whatever happened here (a no-op when it runs)
        }
    }

    @Test
    void aMappingConflictRefusesOnlyTheLinesItConcernsAndCountsThem() throws Exception {
        String name = "es_conflict_rows";
        String index = "conflict-rows";
        // The index exists with columns.value a number: the row 'x' can never be indexed, '1' and '2' can.
        assertThat(node.request("PUT", "/" + index, "{\"mappings\":{\"properties\":{\"columns\":{\"properties\":{\"value\":{\"type\":\"long\"}}}}}}")
                .statusCode()).isEqualTo(200);
        Path data = tmp.resolve("data");
        try (DaemonProcess d = DaemonProcess.start(schedule(name, "SELECT '1' AS value UNION ALL SELECT 'x' UNION ALL SELECT '2'"), data,
                flags(node.url(), "--logger_elasticsearch_index", index))) {
            String losses = "SELECT count, reason FROM hostql_event_losses WHERE source = 'logger:elasticsearch'";
            waitFor(() -> DaemonProcess.query(data, losses).rows().size() >= 2, 60, "the refused lines' loss records");
            Object[] loss = DaemonProcess.query(data, losses).rows().get(0);
            assertThat(loss[0]).isEqualTo(1L);
            assertThat(loss[1].toString()).contains("result line of").contains("was refused")
                    .contains("400 mapper_parsing_exception: failed to parse field [columns.value] of type [long]");
            Path results = d.logs.resolve(FilesystemLogger.RESULTS);
            String sum = "SELECT coalesce(sum(count), 0) FROM hostql_event_losses WHERE source = 'logger:elasticsearch'";
            List<JsonNode> then = fileLines(results, name);
            long thenRefusable = then.stream().filter(n -> n.get("columns").get("value").asText().equals("x")).count();
            waitFor(() -> (Long) DaemonProcess.query(data, sum).rows().get(0)[0] >= thenRefusable
                    && linesOf(node.documents(index), name).containsAll(then.stream()
                            .filter(n -> !n.get("columns").get("value").asText().equals("x")).toList()), 60,
                    "every 'x' line counted and every other line in OpenSearch");
            assertThat(d.stop()).isZero();
            List<JsonNode> got = linesOf(node.documents(index), name);
            assertThat(got).isNotEmpty().allMatch(n -> !n.get("columns").get("value").asText().equals("x"));
            long refusable = fileLines(results, name).stream().filter(n -> n.get("columns").get("value").asText().equals("x")).count();
            assertThat((Long) DaemonProcess.query(data, sum).rows().get(0)[0]).isBetween(thenRefusable, refusable);
        }
    }

    @Test
    void aReceiverThatAnswersGarbageThenClosesMidBatchCostsOneStatusLineAndNoLine() throws Exception {
        String name = "es_garbage_rows";
        try (BadProxy proxy = new BadProxy(node.port)) {
            Path data = tmp.resolve("data");
            try (DaemonProcess d = DaemonProcess.start(schedule(name, THREE_ROWS), data,
                    flags("http://127.0.0.1:" + proxy.port(), "--logger_min_status", "3",
                            "--logger_elasticsearch_index", "garbage-rows"))) {
                Path results = d.logs.resolve(FilesystemLogger.RESULTS);
                waitFor(() -> proxy.requests() >= 3 && fileLines(results, name).size() >= 9, 60, "a forwarded request and lines");
                waitFor(() -> {
                    Set<String> got = new HashSet<>();
                    linesOf(node.documents("garbage-rows"), name).forEach(l -> got.add(key(l)));
                    return fileLines(results, name).stream().allMatch(l -> got.contains(key(l)));
                }, 60, "every line in OpenSearch after the bad answers");
                assertThat(d.stop()).isZero();
                String status = Files.readString(d.logs.resolve(StatusLog.FILE_NAME));
                assertThat(SyslogEndToEndTest.occurrences(status, "logger elasticsearch: cannot deliver to")).isEqualTo(1);
                assertThat(status).contains("the receiver's _bulk answer is not JSON: <html>garbage");
                assertThat(SyslogEndToEndTest.occurrences(status, "logger elasticsearch: delivering to")).isEqualTo(1);
                assertThat(DaemonProcess.query(data, "SELECT count FROM hostql_event_losses WHERE source = 'logger:elasticsearch'").rows()).isEmpty();
                // Retries met their earlier copies: each line once.
                assertThat(linesOf(node.documents("garbage-rows"), name)).hasSameSizeAs(fileLines(results, name));
            }
        }
    }

    /**
     * An HTTP/1.1 proxy in front of the node, written in the test: its first request gets a 200 whose body
     * is not JSON, its second is cut (the connection closed with the body half read), and the later ones
     * are forwarded to the node as they are.
     */
    static final class BadProxy implements AutoCloseable {
        private final ServerSocket server = new ServerSocket();
        private final int target;
        private volatile int requests;

        BadProxy(int target) throws IOException {
            this.target = target;
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread t = new Thread(this::serve, "bad-proxy");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        int requests() {
            return requests;
        }

        private void serve() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread t = new Thread(() -> connection(s), "bad-proxy-connection");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    // closed
                }
            }
        }

        private void connection(Socket socket) {
            try (Socket s = socket) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                while (true) {
                    String head = head(in);
                    if (head == null) break;
                    int length = contentLength(head);
                    int n;
                    synchronized (this) {
                        n = ++requests;
                    }
                    if (n == 2) {
                        in.readNBytes(length / 2);
                        break; // closed mid-body
                    }
                    byte[] body = in.readNBytes(length);
                    if (n == 1) {
                        byte[] garbage = "<html>garbage</html>".getBytes(StandardCharsets.US_ASCII);
                        out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " + garbage.length + "\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        out.write(garbage);
                        out.flush();
                        continue;
                    }
                    out.write(forward(head, body));
                    out.flush();
                }
            } catch (IOException | RuntimeException e) {
                // the connection ends
            }
        }

        private byte[] forward(String head, byte[] body) throws IOException {
            try (Socket up = new Socket(InetAddress.getLoopbackAddress(), target)) {
                OutputStream o = up.getOutputStream();
                // One request per upstream connection: the answer ends where the node closes.
                o.write(head.replaceFirst("(?i)\r\nConnection:[^\r]*", "").replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                o.write(body);
                o.flush();
                return up.getInputStream().readAllBytes(); // with the node's Connection: close, the client reconnects for the next
            }
        }

        private static String head(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c, matched = 0;
            while ((c = in.read()) >= 0) {
                b.write(c);
                matched = (c == '\r' && (matched == 0 || matched == 2)) || (c == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
                if (matched == 4) return b.toString(StandardCharsets.ISO_8859_1);
            }
            return null;
        }

        private static int contentLength(String head) {
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) return Integer.parseInt(line.substring(15).strip());
            }
            return 0;
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
