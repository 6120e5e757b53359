package io.hostql.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSearch 2.19 node for the elasticsearch logger's tests: the opensearch-node module's
 * launcher in a child JVM with its own classpath (opensearch-node/target/classes and lib), HTTP on a
 * free loopback port, data under a directory of the test. Stopping it (SIGKILL) and starting it again
 * on the same directory is an outage that keeps the indices.
 */
final class OpenSearchNode implements AutoCloseable {
    static final Path MODULE_TARGET = Path.of(System.getProperty("user.dir")).resolveSibling("opensearch-node").resolve("target");
    static final ObjectMapper M = new ObjectMapper();

    final Path home;
    final int port;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private Process process;

    private OpenSearchNode(Path home, int port) {
        this.home = home;
        this.port = port;
    }

    static OpenSearchNode start(Path home) throws Exception {
        if (!Files.isDirectory(MODULE_TARGET.resolve("lib"))) {
            throw new AssertionError(MODULE_TARGET.resolve("lib") + " is missing: build the opensearch-node module (mvn package -pl opensearch-node)");
        }
        OpenSearchNode n = new OpenSearchNode(home, Rsyslog.freePort());
        n.start();
        return n;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Starts the node (unless it runs) and waits until it answers. */
    void start() throws Exception {
        if (process != null && process.isAlive()) return;
        Files.createDirectories(home);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms256m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dlog4j2.disable.jmx=true",
                "-cp", MODULE_TARGET.resolve("classes") + ":" + MODULE_TARGET.resolve("lib") + "/*",
                "io.hostql.opensearchnode.OpenSearchNode", Integer.toString(port), home.toString()));
        Path out = home.resolve("node.out");
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile())).start();
        DaemonProcess.waitFor(() -> !process.isAlive() || answers(), 180, "the OpenSearch node to answer on " + url());
        if (!process.isAlive()) throw new AssertionError("the OpenSearch node exited: " + Files.readString(out));
    }

    private boolean answers() {
        try {
            return request("GET", "/_cluster/health?wait_for_status=yellow&timeout=1s", null).statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGKILL, as a crashed or unplugged node: what it had acknowledged is on disk (translog fsync'd per request). */
    void stop() throws Exception {
        if (process == null || !process.isAlive()) return;
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    HttpResponse<String> request(String method, String path, String json) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(30))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) b.header("Content-Type", "application/json");
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** Every document of the indices matching the pattern (after a refresh), as _index plus _source; empty when there are none yet. */
    List<JsonNode> documents(String indices) {
        try {
            request("POST", "/" + indices + "/_refresh?ignore_unavailable=true&allow_no_indices=true", null);
            HttpResponse<String> r = request("POST", "/" + indices + "/_search?size=10000&ignore_unavailable=true&allow_no_indices=true",
                    "{\"query\":{\"match_all\":{}}}");
            if (r.statusCode() != 200) return List.of();
            List<JsonNode> out = new ArrayList<>();
            for (JsonNode hit : M.readTree(r.body()).path("hits").path("hits")) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) hit.get("_source")).put("_index", hit.get("_index").asText());
                out.add(hit.get("_source"));
            }
            return out;
        } catch (IOException e) {
            return List.of(); // the node is down: nothing readable now
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
