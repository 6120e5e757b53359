package io.hostql.opensearchnode;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link OpenSearchNode} in a child JVM, for the tests and the benchmark (this class uses only the JDK,
 * so their classpaths need none of OpenSearch's): its own classpath (this module's target/classes and
 * target/lib), HTTP on a free loopback port, data under {@code home}. {@link #stop()} is a SIGKILL
 * (an outage); {@link #start()} again on the same home keeps the indices.
 */
public final class NodeProcess implements AutoCloseable {
    private final Path target, home;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private Process process;

    /** target: this module's build directory (opensearch-node/target). */
    public NodeProcess(Path target, Path home) throws IOException {
        if (!Files.isDirectory(target.resolve("lib"))) {
            throw new IOException(target.resolve("lib") + " is missing: build the opensearch-node module (mvn package -pl opensearch-node)");
        }
        this.target = target;
        this.home = home;
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    /** Starts the node (unless it runs) and waits until it answers, at most timeoutSeconds. */
    public void start(int timeoutSeconds) throws IOException, InterruptedException {
        if (process != null && process.isAlive()) return;
        Files.createDirectories(home);
        Path out = home.resolve("node.out");
        process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms256m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dlog4j2.disable.jmx=true",
                "-cp", target.resolve("classes") + ":" + target.resolve("lib") + "/*",
                OpenSearchNode.class.getName(), Integer.toString(port), home.toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile())).start();
        long end = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (process.isAlive() && !answers()) {
            if (System.nanoTime() > end) throw new IOException("the OpenSearch node did not answer on " + url() + " in " + timeoutSeconds + " s");
            Thread.sleep(200);
        }
        if (!process.isAlive()) throw new IOException("the OpenSearch node exited: " + Files.readString(out));
    }

    private boolean answers() {
        try {
            return request("GET", "/_cluster/health?wait_for_status=yellow&timeout=1s", null).statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGKILL, as a crashed or unplugged node: what it acknowledged is on disk (the translog is fsync'd per request). */
    public void stop() throws InterruptedException {
        if (process == null || !process.isAlive()) return;
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** One request with an optional JSON body. */
    public HttpResponse<String> request(String method, String path, String json) throws IOException {
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

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
