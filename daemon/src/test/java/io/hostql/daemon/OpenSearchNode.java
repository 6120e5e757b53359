package io.hostql.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hostql.opensearchnode.NodeProcess;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real OpenSearch 2.19 node for the elasticsearch logger's tests: the opensearch-node module's node in
 * a child JVM (its own classpath), HTTP on a free loopback port, data under a directory of the test.
 * Stopping it (SIGKILL) and starting it again on the same directory is an outage that keeps the indices.
 */
final class OpenSearchNode implements AutoCloseable {
    static final Path MODULE_TARGET = Path.of(System.getProperty("user.dir")).resolveSibling("opensearch-node").resolve("target");
    static final ObjectMapper M = new ObjectMapper();

    private final NodeProcess node;
    final int port;

    private OpenSearchNode(NodeProcess node) {
        this.node = node;
        this.port = node.port();
    }

    static OpenSearchNode start(Path home) throws Exception {
        OpenSearchNode n = new OpenSearchNode(new NodeProcess(MODULE_TARGET, home));
        n.start();
        return n;
    }

    String url() {
        return node.url();
    }

    /** Starts the node (unless it runs) and waits until it answers. */
    void start() throws Exception {
        node.start(180);
    }

    void stop() throws Exception {
        node.stop();
    }

    HttpResponse<String> request(String method, String path, String json) throws IOException {
        return node.request(method, path, json);
    }

    /** Every document of the indices matching the pattern (after a refresh), as _source plus _index; empty when there are none yet. */
    List<JsonNode> documents(String indices) {
        try {
            request("POST", "/" + indices + "/_refresh?ignore_unavailable=true&allow_no_indices=true", null);
            HttpResponse<String> r = request("POST", "/" + indices + "/_search?size=10000&ignore_unavailable=true&allow_no_indices=true",
                    "{\"query\":{\"match_all\":{}}}");
            if (r.statusCode() != 200) return List.of();
            List<JsonNode> out = new ArrayList<>();
            for (JsonNode hit : M.readTree(r.body()).path("hits").path("hits")) {
                ((ObjectNode) hit.get("_source")).put("_index", hit.get("_index").asText());
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
