package io.hostql.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hostql.config.Settings;
import io.hostql.loggers.tls.PemTls;
import io.hostql.remote.enroll.Enroller;
import io.hostql.remote.testserver.TlsTestServer;
import io.hostql.remote.transport.HttpsTransport;
import io.hostql.remote.transport.RemoteClient;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What one request to the manager costs the client, by how the connection is had: a kept connection
 * ({@code --tls_session_reuse}, a keep-alive manager), the JDK's HttpClient keeping its own, a new
 * connection resuming the TLS session (a manager that closes after every reply), a new connection
 * with a full handshake ({@code --tls_session_reuse=false}). The managers run in the benchmark's JVM;
 * the client runs in a JVM of its own with hostqld's JIT flag ({@code -XX:TieredStopAtLevel=1}), so
 * that its process CPU time is the client's alone.
 */
final class RemoteRequestCost {
    private RemoteRequestCost() {}

    static final int WARMUP = 1500, REQUESTS = 1000;

    record Cost(String how, double cpuMillis, double wallMillis) {}

    /** Runs the client JVM against a keep-alive and a closing manager; one Cost per way. */
    static List<Cost> measure(Path root, Path ca, Path[] serverCert) throws Exception {
        try (TlsTestServer keeping = TlsTestServer.start(serverCert, null); TlsTestServer closing = TlsTestServer.start(serverCert, null)) {
            closing.connections = TlsTestServer.Connections.CLOSE_SILENTLY;
            Path secret = Files.writeString(root.resolve("cost-secret"), keeping.secret);
            Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> cmd = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
                    "-Dchronicle.analytics.disable=true", "-cp", System.getProperty("java.class.path"), RemoteRequestCost.class.getName(),
                    keeping.hostname(), closing.hostname(), ca.toString(), secret.toString(), root.resolve("cost").toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            List<Cost> out = new ArrayList<>();
            StringBuilder all = new StringBuilder();
            try (var lines = p.inputReader().lines()) {
                lines.forEach(l -> {
                    all.append(l).append('\n');
                    String[] f = l.split("\t");
                    if (f.length == 4 && f[0].equals("cost")) out.add(new Cost(f[1], Double.parseDouble(f[2]), Double.parseDouble(f[3])));
                });
            }
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0 || out.size() != 4) {
                p.destroyForcibly();
                throw new IllegalStateException("the request cost client failed:\n" + all);
            }
            return out;
        }
    }

    /** The client: args keep-alive manager, closing manager, CA, secret file, data dir. Prints "cost\thow\tcpu ms\twall ms". */
    public static void main(String[] args) throws Exception {
        String keeping = args[0], closing = args[1], ca = args[2], secret = args[3];
        Path data = Path.of(args[4]);
        ObjectNode empty = JsonNodeFactory.instance.objectNode();
        RemoteClient kept = client(keeping, ca, secret, data.resolve("kept"));
        report("kept connection (keep-alive manager)", () -> kept.post(TlsTestServer.CONFIG, empty));

        String key = Files.readString(data.resolve("kept").resolve(Enroller.NODE_KEY_FILE)).strip();
        HttpClient http = HttpClient.newBuilder().sslContext(PemTls.context("ca", ca, "cert", "", "key", "")).build();
        byte[] body = ("{\"node_key\":\"" + key + "\"}").getBytes();
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://" + keeping + TlsTestServer.CONFIG))
                .header("Content-Type", "application/json").header("Accept", "application/json").header("User-Agent", HttpsTransport.USER_AGENT)
                .header("Authorization", "NodeKey " + key).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        report("JDK HttpClient, its kept connection (keep-alive manager)", () -> {
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) throw new IllegalStateException("HTTP " + r.statusCode());
        });

        RemoteClient resumed = client(closing, ca, secret, data.resolve("resumed"));
        report("new connection, TLS session resumed (manager closes after each reply)", () -> resumed.post(TlsTestServer.CONFIG, empty));
        RemoteClient full = client(keeping, ca, secret, data.resolve("full"), "--tls_session_reuse=false");
        report("new connection, full handshake (--tls_session_reuse=false)", () -> full.post(TlsTestServer.CONFIG, empty));
    }

    interface Request {
        void send() throws Exception;
    }

    private static void report(String how, Request r) throws Exception {
        for (int i = 0; i < WARMUP; i++) r.send();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime(), t0 = System.nanoTime();
        for (int i = 0; i < REQUESTS; i++) r.send();
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e6 / REQUESTS, wall = (System.nanoTime() - t0) / 1e6 / REQUESTS;
        System.out.println("cost\t" + how + "\t" + cpu + "\t" + wall);
    }

    private static RemoteClient client(String hostname, String ca, String secret, Path data, String... extra) throws Exception {
        Files.createDirectories(data);
        List<String> args = new ArrayList<>(List.of("--tls_hostname", hostname, "--tls_server_certs", ca, "--enroll_tls_endpoint",
                TlsTestServer.ENROLL, "--enroll_secret_path", secret));
        args.addAll(List.of(extra));
        return RemoteClient.create(Settings.parse(args.toArray(new String[0]), Map.of()), data, "bench-host",
                JsonNodeFactory.instance::objectNode);
    }
}
