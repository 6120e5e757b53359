package io.hostql.daemon;

import static io.hostql.daemon.DaemonProcess.waitFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hostql.remote.InProcessManager;
import io.hostql.remote.enroll.Enroller;
import io.hostql.remote.testserver.Pki;
import io.hostql.remote.testserver.TlsTestServer;
import io.hostql.remote.testserver.TlsTestServer.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Distributed (live) queries and file carving through a real hostqld over TLS: one manager (the test's
 * TlsTestServer, whose distributed and carve endpoints are InProcessManager's answers) and one daemon
 * for the class, checking in every second; each test offers its own queries under ids of its own.
 */
class RemoteLiveQueriesEndToEndTest {
    private static final int BLOCK = 4096;
    @TempDir
    static Path shared;
    static TlsTestServer server;
    static DaemonProcess daemon;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Pki.available(), "needs the openssl command to make test certificates (scripts/install-deps installs it)");
        Pki pki = Pki.create(shared.resolve("pki"));
        server = TlsTestServer.start(pki.server(), null);
        Path secret = Files.writeString(shared.resolve("secret"), server.secret + "\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Path config = Files.writeString(shared.resolve("hostql.conf"), "{}");
        daemon = DaemonProcess.start(config, shared.resolve("data"), "--disable_events", "--tls_hostname", server.hostname(),
                "--tls_server_certs", pki.ca.toString(), "--enroll_tls_endpoint", TlsTestServer.ENROLL, "--enroll_secret_path",
                secret.toString(), "--tls_request_timeout", "5", "--disable_distributed=false", "--distributed_plugin=tls",
                "--distributed_interval=1", "--distributed_tls_read_endpoint", InProcessManager.READ, "--distributed_tls_write_endpoint",
                InProcessManager.WRITE, "--disable_carver=false", "--carver_start_endpoint", InProcessManager.CARVE_BEGIN,
                "--carver_continue_endpoint", InProcessManager.CARVE_BLOCK, "--carver_compression=true", "--carver_block_size",
                Integer.toString(BLOCK));
        waitFor(() -> server.live.reads() >= 1, 60, "the first distributed read");
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) daemon.close();
        if (server != null) server.close();
    }

    private static void offer(Map<String, String> queries, Map<String, String> discovery) {
        ObjectNode o = TlsTestServer.JSON.createObjectNode();
        queries.forEach(o.putObject("queries")::put);
        if (discovery != null) discovery.forEach(o.putObject("discovery")::put);
        server.live.offer(o.toString());
    }

    /** The write that answers query id, once it arrived. */
    private static ObjectNode write(String id) throws InterruptedException {
        waitFor(() -> written(id) != null, 60, "the distributed write answering " + id + "\n" + daemon.output());
        return written(id);
    }

    private static ObjectNode written(String id) {
        for (ObjectNode w : server.live.writes()) if (w.path("queries").has(id)) return w;
        return null;
    }

    /** The HTTP request that carried this write. */
    private static TlsTestServer.Request request(ObjectNode write) {
        return server.requests(InProcessManager.WRITE).stream().filter(r -> r.body().equals(write)).findFirst().orElseThrow();
    }

    private static List<String> names(JsonNode o) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) out.add(it.next());
        return out;
    }

    @Test
    void aRoundTripWithDiscoveryAndAFailingQueryArrivesAsOsqueryWritesIt() throws Exception {
        Map<String, String> queries = new LinkedHashMap<>();
        queries.put("rt_os", "SELECT name, version, major FROM os_version");
        queries.put("rt_discovered", "SELECT 1 AS one, NULL AS empty, 2.5 AS half");
        queries.put("rt_undiscovered", "SELECT 2 AS two");
        queries.put("rt_bad", "SELECT * FROM no_such_table");
        offer(queries, Map.of("rt_discovered", "SELECT 1 FROM os_version", "rt_undiscovered", "SELECT 1 WHERE 0"));
        ObjectNode w = write("rt_os");

        // Authenticated by the node key this server gave, in the body and the Authorization header.
        String key = w.path("node_key").asText();
        assertThat(server.validKeys).containsEntry(key, true);
        TlsTestServer.Request http = request(w);
        assertThat(http.header("Authorization")).isEqualTo("NodeKey " + key);
        assertThat(http.header("Content-Type")).isEqualTo("application/json");
        assertThat(http.header("Content-Length")).isEqualTo(Integer.toString(http.raw().length));

        // The query whose discovery found nothing is neither run nor reported, as osquery.
        assertThat(names(w.path("queries"))).containsExactlyInAnyOrder("rt_os", "rt_discovered", "rt_bad");
        assertThat(names(w.path("statuses"))).containsExactlyInAnyOrder("rt_os", "rt_discovered", "rt_bad");
        assertThat(names(w.path("messages"))).containsExactlyInAnyOrder("rt_os", "rt_discovered", "rt_bad");
        for (String id : List.of("rt_os", "rt_discovered", "rt_bad")) assertThat(w.path("statuses").path(id).isInt()).as(id).isTrue();
        assertThat(w.path("statuses").path("rt_os").asInt()).isZero();
        assertThat(w.path("statuses").path("rt_discovered").asInt()).isZero();
        assertThat(w.path("messages").path("rt_os").asText()).isEmpty();
        // The failing query: SQLITE_ERROR and SQLite's message; the rest of the batch is unaffected.
        assertThat(w.path("statuses").path("rt_bad").asInt()).isEqualTo(1);
        assertThat(w.path("messages").path("rt_bad").asText()).isEqualTo("no such table: no_such_table");
        assertThat(w.path("queries").path("rt_bad")).isEmpty();

        // Every value a JSON string, as osquery sends it (managers decode maps of strings).
        assertThat(w.path("queries").path("rt_discovered").toString()).isEqualTo("[{\"one\":\"1\",\"empty\":\"\",\"half\":\"2.5\"}]");
        JsonNode os = w.path("queries").path("rt_os");
        assertThat(os).hasSize(1);
        assertThat(names(os.get(0))).containsExactly("name", "version", "major");
        os.get(0).forEach(v -> assertThat(v.isTextual()).as(os.toString()).isTrue());
        assertThat(os.get(0).path("name").asText()).isNotEmpty();
        JsonNode stats = w.path("stats").path("rt_os");
        assertThat(names(stats)).containsExactly("wall_time_ms", "user_time", "system_time", "memory");
        stats.forEach(v -> assertThat(v.isIntegralNumber()).as(stats.toString()).isTrue());
    }

    @Test
    void nodeInvalidFromTheReadEndpointReEnrollsOnceAndTheRoundTripCompletes() throws Exception {
        waitFor(() -> server.enrollments() >= 1, 60, "the first enrollment");
        int enrolled = server.enrollments();
        String before = Files.readString(daemon.data.resolve(Enroller.NODE_KEY_FILE)).trim();
        Function<TlsTestServer.Request, Reply> standard = server.handler(InProcessManager.READ);
        AtomicBoolean once = new AtomicBoolean(true);
        server.handle(InProcessManager.READ, r -> once.getAndSet(false)
                ? Reply.json(TlsTestServer.JSON.createObjectNode().put("node_invalid", true)) : standard.apply(r));
        try {
            offer(Map.of("ni_after_reenroll", "SELECT 7 AS seven"), null);
            ObjectNode w = write("ni_after_reenroll");
            assertThat(once.get()).as("the read answered node_invalid").isFalse();
            assertThat(w.path("queries").path("ni_after_reenroll").toString()).isEqualTo("[{\"seven\":\"7\"}]");
            assertThat(w.path("statuses").path("ni_after_reenroll").asInt()).isZero();
            String key = w.path("node_key").asText();
            assertThat(key).isNotEqualTo(before);
            assertThat(server.enrollments()).isEqualTo(enrolled + 1);
            assertThat(Files.readString(daemon.data.resolve(Enroller.NODE_KEY_FILE)).trim()).isEqualTo(key);
            // Check-ins go on with the new key: no more enrollments.
            int reads = server.live.reads();
            waitFor(() -> server.live.reads() >= reads + 2, 30, "more check-ins");
            assertThat(server.enrollments()).as("one re-enrollment per node_invalid").isEqualTo(enrolled + 1);
        } finally {
            server.handle(InProcessManager.READ, standard);
        }
    }

    @Test
    void aCarveOfTwoFilesStartedByADistributedQueryUploadsAZstdTarOfThem() throws Exception {
        Path dir = Files.createDirectories(shared.resolve("to-carve"));
        byte[] random = new byte[BLOCK * 5 + 321];
        new Random(12).nextBytes(random); // incompressible: the archive spans several blocks
        Path big = Files.write(dir.resolve("big.bin"), random);
        Path small = Files.writeString(dir.resolve("notes.txt"), "carved over TLS\n");
        offer(Map.of("carve_query", "SELECT * FROM carves WHERE path LIKE '" + dir + "/%' AND carve = 1"), null);
        ObjectNode w = write("carve_query");
        assertThat(w.path("statuses").path("carve_query").asInt()).as(w.toString()).isZero();
        JsonNode row = w.path("queries").path("carve_query").get(0);
        assertThat(row.path("carve").asText()).isEqualTo("1");
        assertThat(row.path("request_id").asText()).isEqualTo("carve_query");
        String guid = row.path("carve_guid").asText();

        waitFor(() -> session(guid) != null && session(guid).blocks().size() == session(guid).start().path("block_count").asInt(), 60,
                "every block of carve " + guid + "\n" + daemon.output());
        InProcessManager.Session s = session(guid);
        byte[] uploaded = server.live.carve(guid);
        assertThat(s.start().path("request_id").asText()).isEqualTo("carve_query");
        assertThat(s.start().path("block_size").asInt()).isEqualTo(BLOCK);
        assertThat(s.start().path("carve_size").asLong()).isEqualTo(uploaded.length);
        assertThat(s.blocks().size()).isGreaterThan(1);
        assertThat(HexFormat.of().formatHex(uploaded, 0, 4)).as("zstd's magic").isEqualTo("28b52ffd");
        // Each block's node key travels in the Authorization header, as osquery sends it.
        assertThat(server.requests(InProcessManager.CARVE_BLOCK)).allSatisfy(r -> assertThat(r.header("Authorization")).startsWith("NodeKey "));

        // GNU tar reads the archive back: the files, byte for byte, under their paths.
        Path out = InProcessManager.unpackZstdTar(uploaded, shared.resolve("carve-out"));
        for (Path f : List.of(big, small)) assertThat(out.resolve(f.toString().substring(1))).hasSameBinaryContentAs(f);

        // The carves table tells the manager how it went.
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(uploaded));
        JsonNode status = null;
        for (int i = 0; i < 30 && (status == null || !status.path("status").asText().equals("SUCCESS")); i++) {
            String id = "carve_status_" + i;
            offer(Map.of(id, "SELECT status, sha256, size FROM carves WHERE carve_guid = '" + guid + "'"), null);
            status = write(id).path("queries").path(id).path(0);
        }
        assertThat(status.toString()).isEqualTo("{\"status\":\"SUCCESS\",\"sha256\":\"" + sha + "\",\"size\":\"" + uploaded.length + "\"}");
    }

    private static InProcessManager.Session session(String guid) {
        for (InProcessManager.Session s : server.live.sessions().values()) if (s.start().path("carve_id").asText().equals(guid)) return s;
        return null;
    }
}
