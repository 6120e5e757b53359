package io.hostql.opensearchnode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.transport.Netty4Plugin;

/**
 * A single OpenSearch node with the netty4 HTTP transport, no security plugin, on 127.0.0.1:
 * {@code java -cp target/classes:target/lib/* io.hostql.opensearchnode.OpenSearchNode HTTP_PORT HOME_DIR}.
 * The data lives in HOME_DIR/data, so a node started again on the same directory finds its indices
 * (an outage in a test is a kill and a start). Prints "opensearch node started" when it takes requests
 * and runs until killed. The Node subclass is how a node gets classpath plugins without a plugins
 * directory (OpenSearch's own test framework does the same).
 */
public final class OpenSearchNode {
    private OpenSearchNode() {}

    private static final class ClasspathNode extends Node {
        ClasspathNode(Environment env) {
            super(env, List.of(Netty4Plugin.class), true);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: OpenSearchNode HTTP_PORT HOME_DIR");
            System.exit(2);
        }
        Path home = Path.of(args[1]).toAbsolutePath();
        Files.createDirectories(home.resolve("config"));
        Settings settings = Settings.builder()
                .put("cluster.name", "hostql-test")
                .put("node.name", "node-1")
                .put("path.home", home.toString())
                .put("path.data", home.resolve("data").toString())
                .put("path.logs", home.resolve("logs").toString())
                .put("discovery.type", "single-node")
                .put("network.host", "127.0.0.1")
                .put("http.port", args[0])
                .put("transport.port", "0")
                .put("http.type", Netty4Plugin.NETTY_HTTP_TRANSPORT_NAME)
                .put("transport.type", Netty4Plugin.NETTY_TRANSPORT_NAME)
                // A test machine's disk may be fuller than the watermarks: indices must still take writes.
                .put("cluster.routing.allocation.disk.threshold_enabled", false)
                .build();
        Environment env = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), home.resolve("config"), () -> "node-1");
        Node node = new ClasspathNode(env);
        node.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception e) {
                // exiting anyway
            }
        }));
        System.out.println("opensearch node started");
        System.out.flush();
        Thread.currentThread().join();
    }
}
