package io.hostql.remote.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hostql.config.Settings;
import io.hostql.config.Version;
import io.hostql.remote.enroll.Enroller;
import io.hostql.remote.testserver.ConnectProxy;
import io.hostql.remote.testserver.LogCapture;
import io.hostql.remote.testserver.Pki;
import io.hostql.remote.testserver.TlsTestServer;
import io.hostql.remote.testserver.TlsTestServer.Reply;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transport and enrollment against a real HTTPS manager on localhost, with certificates made for the test. */
class RemoteClientTest {
    @TempDir
    static Path shared;
    static Pki pki;
    @TempDir
    Path tmp;
    final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void certificates() throws Exception {
        assumeTrue(Pki.available(), "needs the openssl command to make test certificates (scripts/install-deps installs it)");
        pki = Pki.create(shared.resolve("pki"));
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) c.close();
    }

    TlsTestServer server(Path[] cert, Path clientCa) throws IOException {
        TlsTestServer s = TlsTestServer.start(cert, clientCa);
        open.add(s);
        return s;
    }

    Path secretFile(String secret) throws IOException {
        Path f = tmp.resolve("secret");
        Files.writeString(f, secret + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    RemoteClient client(String hostname, Path data, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("--tls_hostname", hostname, "--tls_server_certs", pki.ca.toString(),
                "--enroll_tls_endpoint", TlsTestServer.ENROLL, "--enroll_secret_path", secretFile("s3cret").toString()));
        args.addAll(List.of(extra));
        Files.createDirectories(data);
        ObjectNode details = JsonNodeFactory.instance.objectNode();
        details.putObject("os_version").put("name", "Debian GNU/Linux");
        details.putObject("platform_info");
        return RemoteClient.create(Settings.parse(args.toArray(new String[0]), Map.of()), data, "host-1", () -> details);
    }

    static ObjectNode empty() {
        return JsonNodeFactory.instance.objectNode();
    }

    static List<Long> sessions(TlsTestServer s) {
        return s.requests.stream().map(TlsTestServer.Request::tlsSessionCreated).distinct().toList();
    }

    @Test
    void aThreadKeepsItsConnectionForEveryRequestAndAnotherThreadResumesTheSession() throws Exception {
        TlsTestServer s = server(pki.server(), null); // keep-alive, as Fleet's Go server
        RemoteClient c = client(s.hostname(), tmp.resolve("data"));
        for (int i = 0; i < 3; i++) c.post(TlsTestServer.CONFIG, empty());
        assertThat(s.requests).hasSize(4); // the enrollment and three config requests
        assertThat(s.connectionsOpened()).as("one connection for the thread's requests").isEqualTo(1);
        assertThat(s.requests).allSatisfy(r -> assertThat(r.header("Connection")).isNull());

        Thread other = new Thread(() -> {
            try {
                c.post(TlsTestServer.CONFIG, empty());
                c.post(TlsTestServer.CONFIG, empty());
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        other.start();
        other.join();
        assertThat(s.requests).hasSize(6);
        assertThat(s.connectionsOpened()).as("a connection per calling thread, as osquery's thread-local client").isEqualTo(2);
        assertThat(sessions(s)).as("one full handshake; the second connection resumed the session").hasSize(1);
    }

    @Test
    void aServerIdleTimeoutShorterThanTheIntervalCostsAConnectionNotARequest() throws Exception {
        TlsTestServer s = server(pki.server(), null).idleTimeout(200);
        RemoteClient c = client(s.hostname(), tmp.resolve("data"));
        try (LogCapture log = new LogCapture()) {
            for (int i = 0; i < 3; i++) {
                c.post(TlsTestServer.CONFIG, empty());
                Thread.sleep(1000);
            }
            assertThat(log.warnings()).isEmpty();
        }
        assertThat(s.requests).hasSize(4);
        assertThat(s.requests(TlsTestServer.CONFIG).stream().map(TlsTestServer.Request::clientPort).distinct())
                .as("each request after a pause longer than the server's idle timeout on a new connection").hasSize(3);
        assertThat(c.status().rows()).allSatisfy(r -> assertThat(r.failures()).isZero());
    }

    @Test
    void serversThatCloseAfterEveryReplyWithOrWithoutSayingSoLoseNoRequest() throws Exception {
        for (TlsTestServer.Connections mode : List.of(TlsTestServer.Connections.CLOSE_SILENTLY, TlsTestServer.Connections.CLOSE)) {
            TlsTestServer s = server(pki.server(), null);
            s.connections = mode;
            RemoteClient c = client(s.hostname(), tmp.resolve("data-" + mode));
            for (int i = 0; i < 5; i++) c.post(TlsTestServer.CONFIG, empty()); // back to back: the close may still be in flight
            assertThat(s.requests).as(mode.name()).hasSize(6);
            assertThat(s.connectionsOpened()).as(mode + ": a connection per request").isEqualTo(6);
            assertThat(sessions(s)).as(mode + ": each resumes the session").hasSize(1);
            assertThat(c.status().rows()).allSatisfy(r -> assertThat(r.failures()).isZero());
        }
    }

    @Test
    void aKeptConnectionDroppedWithoutAReplyIsRetriedOnceOnANewOneAndANewOneIsNot() throws Exception {
        TlsTestServer s = server(pki.server(), null);
        RemoteClient c = client(s.hostname(), tmp.resolve("data"));
        c.post(TlsTestServer.CONFIG, empty()); // enrolled; the connection is kept
        var normal = s.handler(TlsTestServer.CONFIG);
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        s.handle(TlsTestServer.CONFIG, r -> calls.incrementAndGet() == 1 ? Reply.dropped() : normal.apply(r));
        c.post(TlsTestServer.CONFIG, empty());
        assertThat(calls).as("the request arrived twice: the retry's price when a server drops a request it read").hasValue(2);
        assertThat(s.connectionsOpened()).isEqualTo(2);

        // On a new connection a dropped request is a failure, not sent again.
        s.handle(TlsTestServer.CONFIG, r -> Reply.dropped());
        RemoteClient fresh = client(s.hostname(), tmp.resolve("data"), "--tls_session_reuse=false");
        int before = s.requests.size();
        assertThatThrownBy(() -> fresh.post(TlsTestServer.CONFIG, empty()))
                .hasMessage("POST https://" + s.hostname() + TlsTestServer.CONFIG + ": connection failed: the server closed the connection"
                        + " without a reply");
        assertThat(s.requests.size() - before).isEqualTo(1);
    }

    @Test
    void chunkedRepliesKeepTheConnection() throws Exception {
        TlsTestServer s = server(pki.server(), null);
        s.chunkedReplies = true;
        String padding = "p".repeat(100_000);
        s.config = TlsTestServer.JSON.readTree("{\"padding\": \"" + padding + "\"}");
        RemoteClient c = client(s.hostname(), tmp.resolve("data"));
        for (int i = 0; i < 2; i++) assertThat(c.post(TlsTestServer.CONFIG, empty()).path("padding").asText()).isEqualTo(padding);
        assertThat(s.connectionsOpened()).isEqualTo(1);
    }

    @Test
    void theKeptConnectionIsReplacedAfterTlsSessionTimeout() throws Exception {
        TlsTestServer s = server(pki.server(), null);
        RemoteClient c = client(s.hostname(), tmp.resolve("data"), "--tls_session_timeout", "1");
        c.post(TlsTestServer.CONFIG, empty());
        Thread.sleep(1200);
        c.post(TlsTestServer.CONFIG, empty());
        c.post(TlsTestServer.CONFIG, empty());
        List<Integer> ports = s.requests(TlsTestServer.CONFIG).stream().map(TlsTestServer.Request::clientPort).toList();
        assertThat(ports.get(1)).as("a new connection once the kept one is older than --tls_session_timeout").isNotEqualTo(ports.get(0));
        assertThat(ports.get(2)).as("then kept again").isEqualTo(ports.get(1));
    }

    @Test
    void withoutTlsSessionReuseEachRequestIsANewConnectionAndAFullHandshake() throws Exception {
        TlsTestServer s = server(pki.server(), null);
        RemoteClient full = client(s.hostname(), tmp.resolve("full"), "--tls_session_reuse=false");
        for (int i = 0; i < 3; i++) full.post(TlsTestServer.CONFIG, empty());
        assertThat(s.requests).hasSize(4).allSatisfy(r -> assertThat(r.header("Connection")).isEqualTo("close"));
        assertThat(s.connectionsOpened()).isEqualTo(4);
        assertThat(sessions(s)).as("a full handshake every request").hasSize(4);
    }

    @Test
    void throughAProxyTheKeptConnectionIsOneTunnelAndARefusalIsClear() throws Exception {
        TlsTestServer s = server(pki.server(), null);
        ConnectProxy proxy = new ConnectProxy(false);
        open.add(proxy);
        RemoteClient c = client(s.hostname(), tmp.resolve("data"), "--proxy_hostname", proxy.hostPort());
        for (int i = 0; i < 3; i++) c.post(TlsTestServer.CONFIG, empty());
        assertThat(s.requests).hasSize(4);
        assertThat(proxy.connects).containsExactly("CONNECT " + s.hostname() + " HTTP/1.1");

        ConnectProxy refusing = new ConnectProxy(true);
        open.add(refusing);
        assertThatThrownBy(() -> client(s.hostname(), tmp.resolve("data"), "--proxy_hostname", refusing.hostPort())
                .post(TlsTestServer.CONFIG, empty()))
                .hasMessage("POST https://" + s.hostname() + TlsTestServer.CONFIG + ": connection failed: the proxy (--proxy_hostname) refused"
                        + " CONNECT " + s.hostname() + ": HTTP/1.1 407 Proxy Authentication Required");
        assertThat(s.requests).hasSize(4);
    }

    @Test
    void tlsSecretAlwaysPutsTheSecretInEveryRequestsUrlButInNoLine() throws Exception {
        TlsTestServer s = server(pki.server(), null);
        s.secret = "s3cret&=/";
        Path secret = Files.writeString(tmp.resolve("odd-secret"), s.secret + "\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        RemoteClient c = client(s.hostname(), tmp.resolve("data"), "--enroll_secret_path", secret.toString(), "--tls_secret_always");
        c.post(TlsTestServer.CONFIG, empty());
        assertThat(s.requests).hasSize(2).allSatisfy(r -> assertThat(r.query()).isEqualTo("enroll_secret=s3cret%26%3D%2F"));
        var normal = s.handler(TlsTestServer.CONFIG);
        s.handle(TlsTestServer.CONFIG, r -> Reply.raw(500, "{}"));
        try (LogCapture log = new LogCapture()) {
            assertThatThrownBy(() -> c.post(TlsTestServer.CONFIG, empty())).hasMessage("POST https://" + s.hostname() + TlsTestServer.CONFIG
                    + ": HTTP 500: {}");
            assertThat(log.warnings()).singleElement().asString().doesNotContain("s3cret");
        }
        assertThat(c.status().rows()).allSatisfy(r -> assertThat(r.toString()).doesNotContain("s3cret"));

        s.handle(TlsTestServer.CONFIG, normal);
        s.requests.clear();
        client(s.hostname(), tmp.resolve("data"), "--enroll_secret_path", secret.toString()).post(TlsTestServer.CONFIG, empty());
        assertThat(s.requests).singleElement().satisfies(r -> assertThat(r.query()).isNull());
    }

    @Test
    void enrollsOnceAndSendsTheNodeKeyWithOsquerysHeaders() throws Exception {
        TlsTestServer s = server(pki.server(), null);
        s.config = TlsTestServer.JSON.readTree("{\"schedule\": {\"q\": {\"query\": \"SELECT 1\", \"interval\": 10}}}");
        Path data = tmp.resolve("data");
        JsonNode reply = client(s.hostname(), data).post(TlsTestServer.CONFIG, empty());
        assertThat(reply.path("schedule").path("q").path("query").asText()).isEqualTo("SELECT 1");

        TlsTestServer.Request enroll = s.requests(TlsTestServer.ENROLL).get(0);
        assertThat(enroll.body().path("enroll_secret").asText()).isEqualTo("s3cret"); // the file's newline trimmed
        assertThat(enroll.body().path("host_identifier").asText()).isEqualTo("host-1");
        assertThat(enroll.body().path("platform_type").asText()).isEqualTo("9");
        assertThat(enroll.body().path("host_details").path("os_version").path("name").asText()).isEqualTo("Debian GNU/Linux");
        assertThat(enroll.body().path("host_details").has("platform_info")).isTrue();
        assertThat(enroll.header("Authorization")).isNull();
        TlsTestServer.Request config = s.requests(TlsTestServer.CONFIG).get(0);
        assertThat(config.body().path("node_key").asText()).isEqualTo("key-1");
        assertThat(config.header("Authorization")).isEqualTo("NodeKey key-1");
        for (TlsTestServer.Request r : s.requests) {
            assertThat(r.header("User-Agent")).isEqualTo("osquery/" + Version.OSQUERY_COMPATIBLE);
            assertThat(r.header("Content-Type")).isEqualTo("application/json");
            assertThat(r.header("Accept")).isEqualTo("application/json");
            assertThat(r.header("Content-Length")).isEqualTo(Integer.toString(r.raw().length));
            assertThat(r.header("Transfer-Encoding")).isNull();
            assertThat(r.header("Content-Encoding")).isNull();
        }
        Path key = data.resolve(Enroller.NODE_KEY_FILE);
        assertThat(Files.readString(key)).isEqualTo("key-1");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");

        // A restart keeps the key: no second enrollment.
        RemoteClient again = client(s.hostname(), data);
        again.post(TlsTestServer.CONFIG, empty());
        assertThat(s.enrollments()).isEqualTo(1);
        assertThat(again.status().rows()).singleElement().satisfies(r -> {
            assertThat(r.endpoint()).isEqualTo(TlsTestServer.CONFIG);
            assertThat(r.lastHttpStatus()).isEqualTo(200);
            assertThat(r.lastSuccess()).isPositive();
            assertThat(r.nodeKeyAge()).isBetween(0L, 60L);
        });
        // --enroll_always forgets it.
        client(s.hostname(), data, "--enroll_always").post(TlsTestServer.CONFIG, empty());
        assertThat(s.enrollments()).isEqualTo(2);
    }

    @Test
    void nodeInvalidReEnrollsOnceAndTheRequestGoesThrough() throws Exception {
        TlsTestServer s = server(pki.server(), null);
        RemoteClient c = client(s.hostname(), tmp.resolve("data"));
        c.post(TlsTestServer.CONFIG, empty());
        s.validKeys.put("key-1", false); // the manager forgot the host
        try (LogCapture log = new LogCapture()) {
            c.post(TlsTestServer.CONFIG, empty());
            c.post(TlsTestServer.CONFIG, empty());
            assertThat(log.warnings()).singleElement().asString().contains("node_invalid");
        }
        assertThat(s.enrollments()).isEqualTo(2);
        assertThat(s.requests(TlsTestServer.CONFIG).stream().map(r -> r.body().path("node_key").asText()))
                .containsExactly("key-1", "key-1", "key-2", "key-2");
        assertThat(Files.readString(tmp.resolve("data").resolve(Enroller.NODE_KEY_FILE))).isEqualTo("key-2");

        // --disable_reenrollment keeps the key and fails the request.
        s.validKeys.put("key-2", false);
        RemoteClient kept = client(s.hostname(), tmp.resolve("data"), "--disable_reenrollment");
        assertThatThrownBy(() -> kept.post(TlsTestServer.CONFIG, empty())).hasMessageContaining("--disable_reenrollment");
        assertThat(s.enrollments()).isEqualTo(2);
    }

    @Test
    void aWrongSecretIsRefusedClearlyAndBacksOff() throws Exception {
        TlsTestServer s = server(pki.server(), null);
        s.secret = "the right one";
        RemoteClient c = client(s.hostname(), tmp.resolve("data"));
        try (LogCapture log = new LogCapture()) {
            assertThatThrownBy(() -> c.post(TlsTestServer.CONFIG, empty()))
                    .hasMessage("POST https://" + s.hostname() + TlsTestServer.ENROLL + ": the server refused enrollment (node_invalid:"
                            + " invalid secret); check the enroll secret in --enroll_secret_path " + tmp.resolve("secret"));
            // The next request within the back-off sends nothing.
            assertThatThrownBy(() -> c.post(TlsTestServer.CONFIG, empty())).hasMessageContaining("enrollment is backing off after 1 failures");
            assertThat(log.warnings()).singleElement().asString().contains("refused enrollment").doesNotContain("s3cret");
        }
        assertThat(s.requests).hasSize(1);
        assertThat(Files.exists(tmp.resolve("data").resolve(Enroller.NODE_KEY_FILE))).isFalse();
    }

    @Test
    void aServerSignedByAnUntrustedCaGetsNoRequest() throws Exception {
        TlsTestServer s = server(pki.issue("rogue", "localhost", true, "subjectAltName=DNS:localhost"), null);
        try (LogCapture log = new LogCapture()) {
            assertThatThrownBy(() -> client(s.hostname(), tmp.resolve("data")).post(TlsTestServer.CONFIG, empty()))
                    .hasMessageStartingWith("POST https://" + s.hostname() + TlsTestServer.ENROLL + ": the certificate of " + s.hostname()
                            + " cannot be verified (")
                    .hasMessageEndingWith("it is not signed by a CA of --tls_server_certs " + pki.ca + "; no request was sent");
            assertThat(log.warnings()).hasSize(1);
        }
        assertThat(s.requests).isEmpty();
    }

    @Test
    void aCertificateWithOnlyTheCnVerifiesForThatNameOnly() throws Exception {
        TlsTestServer s = server(pki.issue("cn-only", "localhost", false, null), null);
        client(s.hostname(), tmp.resolve("data")).post(TlsTestServer.CONFIG, empty());
        assertThat(s.requests).hasSize(2);
        assertThatThrownBy(() -> client("127.0.0.1:" + s.port(), tmp.resolve("data2")).post(TlsTestServer.CONFIG, empty()))
                .hasMessageContaining("is not for that name").hasMessageContaining("--tls_hostname");
        assertThat(s.requests).hasSize(2);
    }

    @Test
    void mutualTlsRequiredThenPresent() throws Exception {
        TlsTestServer s = server(pki.server(), pki.ca);
        assertThatThrownBy(() -> client(s.hostname(), tmp.resolve("data")).post(TlsTestServer.CONFIG, empty()))
                .hasMessageContaining("set --tls_client_cert and --tls_client_key");
        assertThat(s.requests).isEmpty();
        Path[] c = pki.client();
        client(s.hostname(), tmp.resolve("data"), "--tls_client_cert", c[0].toString(), "--tls_client_key", c[1].toString())
                .post(TlsTestServer.CONFIG, empty());
        assertThat(s.requests).hasSize(2);
    }

    @Test
    void badRepliesAreClearErrors() throws Exception {
        TlsTestServer s = server(pki.server(), null);
        RemoteClient c = client(s.hostname(), tmp.resolve("data"), "--tls_request_timeout", "1");
        c.post(TlsTestServer.CONFIG, empty()); // enrolled
        String url = "POST https://" + s.hostname() + TlsTestServer.CONFIG + ": ";
        String big = "{\"schedule\": {\"q\": {\"query\": \"SELECT '" + "x".repeat(10 << 20) + "'\"}}}";
        s.handle(TlsTestServer.CONFIG, r -> Reply.raw(200, big));
        assertThatThrownBy(() -> client(s.hostname(), tmp.resolve("data")).post(TlsTestServer.CONFIG, empty()))
                .hasMessage(url + "the reply is larger than 8388608 bytes (--tls_max_reply_bytes); refused");
        s.handle(TlsTestServer.CONFIG, r -> Reply.raw(200, "<html>oops</html>"));
        assertThatThrownBy(() -> c.post(TlsTestServer.CONFIG, empty())).hasMessageStartingWith(url + "the reply is not JSON (")
                .hasMessageEndingWith("): <html>oops</html>");
        s.handle(TlsTestServer.CONFIG, r -> Reply.raw(200, "[1, 2]"));
        assertThatThrownBy(() -> c.post(TlsTestServer.CONFIG, empty())).hasMessage(url + "the reply is a JSON array, not an object");
        s.handle(TlsTestServer.CONFIG, r -> Reply.raw(500, "{\"error\": \"database down\"}"));
        assertThatThrownBy(() -> c.post(TlsTestServer.CONFIG, empty())).hasMessage(url + "HTTP 500: {\"error\": \"database down\"}");
        s.handle(TlsTestServer.CONFIG, r -> Reply.raw(200, "{\"error\": \"try later\"}"));
        assertThatThrownBy(() -> c.post(TlsTestServer.CONFIG, empty())).hasMessage(url + "the manager answered: try later");
        s.handle(TlsTestServer.CONFIG, r -> Reply.raw(200, "{}").delayed(3000));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> c.post(TlsTestServer.CONFIG, empty())).hasMessageStartingWith(url + "timed out (")
                .hasMessageContaining("--tls_request_timeout 1 s");
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2900);
        s.handle(TlsTestServer.CONFIG, r -> Reply.raw(200, "{\"schedule\": {}, \"padding\": \"" + "y".repeat(100_000) + "\"}").closingMidway());
        assertThatThrownBy(() -> c.post(TlsTestServer.CONFIG, empty()))
                .hasMessageMatching(java.util.regex.Pattern.quote(url) + "the connection closed after \\d+ of the reply's \\d+ bytes");
        // And it still works.
        s.handle(TlsTestServer.CONFIG, r -> Reply.raw(200, "{\"ok\": 1}"));
        assertThat(c.post(TlsTestServer.CONFIG, empty()).path("ok").asInt()).isEqualTo(1);
        assertThat(c.status().rows()).filteredOn(r -> r.endpoint().equals(TlsTestServer.CONFIG)).singleElement().satisfies(r -> {
            assertThat(r.failures()).isEqualTo(6);
            assertThat(r.lastError()).startsWith(url + "the connection closed after ");
            assertThat(r.lastSuccess()).isGreaterThanOrEqualTo(r.lastFailure());
        });
    }

    @Test
    void aSecretFileReadableByOthersIsWarnedAboutAndTheSecretNeverLogged() throws Exception {
        TlsTestServer s = server(pki.server(), null);
        Path open = Files.writeString(tmp.resolve("open-secret"), "s3cret\n");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        try (LogCapture log = new LogCapture()) {
            client(s.hostname(), tmp.resolve("data")); // 0600: no warning
            assertThat(log.warnings()).isEmpty();
            RemoteClient c = client(s.hostname(), tmp.resolve("data"), "--enroll_secret_path", open.toString());
            assertThat(log.warnings()).singleElement().asString().contains("the enroll secret file " + open)
                    .contains("readable by every user");
            c.post(TlsTestServer.CONFIG, empty());
            assertThat(s.enrollments()).isEqualTo(1);
            assertThat(log.warnings()).noneMatch(w -> w.contains("s3cret"));
        }
    }
}
