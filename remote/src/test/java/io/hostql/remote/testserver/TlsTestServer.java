package io.hostql.remote.testserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.hostql.loggers.tls.PemTls;
import io.hostql.remote.InProcessManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * An osquery manager for tests: the JDK's HttpsServer on localhost speaking the TLS remote API of
 * reference/osquery-tls-remote-api.md. It enrolls hosts that send the secret (node keys "key-1",
 * "key-2", …), serves a config, takes logs, serves distributed queries and takes carves (the answers of
 * {@link #live}, an {@link InProcessManager}), and records every request with its headers and decoded
 * body. An endpoint is a path and a function from the request to the reply
 * ({@link #handle(String, Function)}): add one for a new part of the API, or replace a standard one
 * to misbehave (garbage, slowness, closing mid-reply).
 */
public final class TlsTestServer implements AutoCloseable {
    public static final String ENROLL = "/api/v1/osquery/enroll", CONFIG = "/api/v1/osquery/config", LOG = "/api/v1/osquery/log";
    public static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One request as the server saw it; clientPort: the connection's source port; tlsSessionCreated: when its TLS session was made
     * (a resumed one: before the connection); query: the URL's query string as sent, or null.
     */
    public record Request(String path, Map<String, List<String>> headers, byte[] raw, JsonNode body, int clientPort, long tlsSessionCreated,
            String query) {
        public String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey() != null && e.getKey().equalsIgnoreCase(name)) return e.getValue().get(0);
            }
            return null;
        }
    }

    /** A reply: a status and raw bytes (JSON or not), and how the server sends it. */
    public record Reply(int status, byte[] body, long delayMillis, boolean closeMidway) {
        public static Reply json(JsonNode n) {
            return new Reply(200, n.toString().getBytes(StandardCharsets.UTF_8), 0, false);
        }

        public static Reply raw(int status, String body) {
            return new Reply(status, body.getBytes(StandardCharsets.UTF_8), 0, false);
        }

        public Reply delayed(long millis) {
            return new Reply(status, body, millis, closeMidway);
        }

        public Reply closingMidway() {
            return new Reply(status, body, delayMillis, true);
        }

        /** No reply at all: the connection is closed once the request has been read (the server failed). */
        public static Reply dropped() {
            return new Reply(0, new byte[0], 0, true);
        }
    }

    /** How the server treats a connection after a reply. */
    public enum Connections {
        /** HTTP/1.1 keep-alive, as Go's net/http (Fleet): the connection stays open for the next request. */
        KEEP_ALIVE,
        /** {@code Connection: close} on every reply, then closed. */
        CLOSE,
        /** Closed after every reply without saying so (HTTP/1.1 without {@code Connection: close}), as some managers do. */
        CLOSE_SILENTLY
    }

    private final HttpsServer server;
    public volatile Connections connections = Connections.KEEP_ALIVE;
    /** Replies sent chunked, without a Content-Length (Go's net/http does so for replies over 4 KiB). */
    public volatile boolean chunkedReplies;
    private volatile IdleRelay relay;
    public final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Function<Request, Reply>> handlers = new ConcurrentHashMap<>();
    public volatile String secret = "s3cret";
    public volatile JsonNode config = JsonNodeFactory.instance.objectNode();
    public final List<JsonNode> logs = new CopyOnWriteArrayList<>();
    public final Map<String, Boolean> validKeys = new ConcurrentHashMap<>();
    /** The distributed read/write and carve start/block endpoints' server side: offer queries to it, read writes and carves from it. */
    public final InProcessManager live = new InProcessManager();
    private final AtomicInteger enrolled = new AtomicInteger();
    /** Body bytes received (as sent: compressed when they were) and sent, over every request. */
    public final java.util.concurrent.atomic.AtomicLong bytesIn = new java.util.concurrent.atomic.AtomicLong(),
            bytesOut = new java.util.concurrent.atomic.AtomicLong();

    static {
        // Replies without Nagle's delay, as Go's net/http (Fleet) sends them: otherwise a kept connection waits for the
        // client's delayed ACK (40 ms) between the reply's headers and body. JVM-wide, read when the first JDK server starts.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private TlsTestServer(HttpsServer server) {
        this.server = server;
    }

    /** A server with certificate certAndKey (PEM paths); clientCa non-null: a client certificate signed by it is required. */
    public static TlsTestServer start(Path[] certAndKey, Path clientCa) throws IOException {
        SSLContext ctx = PemTls.context("ca", clientCa == null ? "" : clientCa.toString(), "cert", certAndKey[0].toString(), "key",
                certAndKey[1].toString());
        HttpsServer s = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.setHttpsConfigurator(new HttpsConfigurator(ctx) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = ctx.getDefaultSSLParameters();
                p.setNeedClientAuth(clientCa != null);
                params.setSSLParameters(p);
            }
        });
        s.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "tls-test-server");
            t.setDaemon(true);
            return t;
        }));
        TlsTestServer t = new TlsTestServer(s);
        t.handle(ENROLL, t::enroll);
        t.handle(CONFIG, r -> t.authorized(r, () -> Reply.json(t.config)));
        t.handle(LOG, r -> t.authorized(r, () -> {
            t.logs.add(r.body());
            return Reply.json(JsonNodeFactory.instance.objectNode());
        }));
        for (String path : List.of(InProcessManager.READ, InProcessManager.WRITE, InProcessManager.CARVE_BEGIN)) {
            t.handle(path, r -> t.authorized(r, () -> t.liveAnswer(r)));
        }
        // osquery sends a carve block's node key only in the Authorization header (reference §3.7).
        t.handle(InProcessManager.CARVE_BLOCK, r -> t.authorizedByHeader(r, () -> t.liveAnswer(r)));
        s.createContext("/", t::exchange);
        s.start();
        return t;
    }

    public int port() {
        IdleRelay r = relay;
        return r != null ? r.port() : server.getAddress().getPort();
    }

    /**
     * Closes a connection idle for that long, as Go's http.Server IdleTimeout: from now on clients
     * connect through a relay in front of the server that drops a connection with no bytes either way
     * for idleMillis. Call before handing {@link #hostname()} to a client.
     */
    public TlsTestServer idleTimeout(long idleMillis) throws IOException {
        relay = new IdleRelay(server.getAddress().getPort(), idleMillis);
        return this;
    }

    /** Connections the clients opened: through the idle relay, every one accepted; else those that carried a request. */
    public int connectionsOpened() {
        IdleRelay r = relay;
        return r != null ? r.accepted() : (int) requests.stream().map(Request::clientPort).distinct().count();
    }

    /** --tls_hostname for this server. */
    public String hostname() {
        return "localhost:" + port();
    }

    /** Sets what path answers (replacing the standard endpoint). */
    public void handle(String path, Function<Request, Reply> handler) {
        handlers.put(path, handler);
    }

    /** What path answers now (to wrap it, e.g. misbehave once then answer as usual). */
    public Function<Request, Reply> handler(String path) {
        return handlers.get(path);
    }

    public int enrollments() {
        return enrolled.get();
    }

    public List<Request> requests(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    /** Every data line of the log requests of that log_type, in order. */
    public List<JsonNode> logLines(String logType) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode b : logs) if (logType.equals(b.path("log_type").asText())) b.path("data").forEach(out::add);
        return out;
    }

    private Reply enroll(Request r) {
        if (!secret.equals(r.body().path("enroll_secret").asText())) {
            ObjectNode n = JsonNodeFactory.instance.objectNode().put("node_invalid", true).put("error", "invalid secret");
            return Reply.json(n);
        }
        String key = "key-" + enrolled.incrementAndGet();
        validKeys.put(key, true);
        return Reply.json(JsonNodeFactory.instance.objectNode().put("node_key", key));
    }

    /** node_invalid unless the body's node_key is one this server gave (and did not revoke). */
    public Reply authorized(Request r, java.util.function.Supplier<Reply> ok) {
        if (!validKeys.getOrDefault(r.body().path("node_key").asText(), false)) {
            return Reply.json(JsonNodeFactory.instance.objectNode().put("node_invalid", true));
        }
        return ok.get();
    }

    /** node_invalid unless the Authorization header is "NodeKey <a key this server gave>". */
    public Reply authorizedByHeader(Request r, java.util.function.Supplier<Reply> ok) {
        String h = r.header("Authorization");
        if (h == null || !h.startsWith("NodeKey ") || !validKeys.getOrDefault(h.substring("NodeKey ".length()), false)) {
            return Reply.json(JsonNodeFactory.instance.objectNode().put("node_invalid", true));
        }
        return ok.get();
    }

    /** {@link #live}'s answer; what it refuses is that HTTP status with an error body. */
    private Reply liveAnswer(Request r) {
        try {
            if (!(r.body() instanceof ObjectNode body)) throw new IOException(r.path() + ": the body is not a JSON object");
            return Reply.json(live.answer(r.path(), body));
        } catch (IOException e) {
            int status = e instanceof InProcessManager.Refused refused ? refused.status : 500;
            return new Reply(status, JsonNodeFactory.instance.objectNode().put("error", e.getMessage()).toString()
                    .getBytes(StandardCharsets.UTF_8), 0, false);
        }
    }

    private void exchange(HttpExchange ex) throws IOException {
        boolean leaveOpen = false;
        try {
            byte[] raw;
            try (InputStream in = ex.getRequestBody()) {
                raw = in.readAllBytes();
            }
            byte[] text = raw;
            if ("gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding"))) {
                try (InputStream z = new GZIPInputStream(new java.io.ByteArrayInputStream(raw))) {
                    text = z.readAllBytes();
                }
            }
            JsonNode body;
            try {
                body = JSON.readTree(text);
            } catch (IOException e) {
                body = JsonNodeFactory.instance.objectNode().put("unparsable", new String(text, StandardCharsets.UTF_8));
            }
            bytesIn.addAndGet(raw.length);
            // A resumed TLS session keeps the creation time of the session it resumes (the JDK's server, TLS 1.2 and 1.3).
            long sessionCreated = ex instanceof HttpsExchange https ? https.getSSLSession().getCreationTime() : 0;
            Request req = new Request(ex.getRequestURI().getPath(), Map.copyOf(ex.getRequestHeaders()), raw, body,
                    ex.getRemoteAddress().getPort(), sessionCreated,
                    ex.getRequestURI().getRawQuery());
            requests.add(req);
            Function<Request, Reply> h = handlers.get(req.path());
            Reply reply = h == null ? Reply.raw(404, "{\"error\":\"no such endpoint\"}") : h.apply(req);
            if (reply.delayMillis() > 0) Thread.sleep(reply.delayMillis());
            if (reply.status() == 0) throw new IOException("dropping the connection without a reply, as asked");
            ex.getResponseHeaders().set("Content-Type", "application/json");
            Connections mode = connections;
            if (mode == Connections.CLOSE) ex.getResponseHeaders().set("Connection", "close");
            if (reply.closeMidway()) {
                ex.sendResponseHeaders(reply.status(), reply.body().length);
                OutputStream out = ex.getResponseBody();
                out.write(reply.body(), 0, reply.body().length / 2);
                out.flush();
                throw new IOException("closing mid-response, as asked");
            }
            bytesOut.addAndGet(reply.body().length);
            ex.sendResponseHeaders(reply.status(), reply.body().length == 0 ? -1 : chunkedReplies ? 0 : reply.body().length);
            if (mode == Connections.CLOSE_SILENTLY) {
                // The whole reply sent, its stream left open: the JDK's server closes a connection whose exchange fails unfinished.
                ex.getResponseBody().write(reply.body());
                ex.getResponseBody().flush();
                leaveOpen = true;
                throw new IOException("closing after the reply, without saying so, as asked");
            }
            if (reply.body().length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(reply.body());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (!leaveOpen) ex.close();
        }
    }

    @Override
    public void close() {
        IdleRelay r = relay;
        if (r != null) r.close();
        server.stop(0);
    }
}
