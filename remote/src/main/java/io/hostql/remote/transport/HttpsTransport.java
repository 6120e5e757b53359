package io.hostql.remote.transport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hostql.config.Settings;
import io.hostql.config.SettingsException;
import io.hostql.config.Version;
import io.hostql.config.flags.RemoteFlags;
import io.hostql.loggers.tls.PemTls;
import io.hostql.remote.status.RemoteStatus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;

/**
 * HTTPS to the manager, as osquery's TLS transport: POST a JSON object with osquery's headers, get a
 * JSON object. TLS 1.2 or later, the server verified against {@code --tls_server_certs} (or the
 * system trust store) and by host name, with the JDK's HTTPS check (which falls back to the CN when a
 * certificate has no subjectAltName, as OpenSSL does for osquery). Every request has a Content-Length.
 *
 * <p>{@code --tls_session_reuse} (osquery's default) is osquery's "reuse TLS session sockets": each
 * calling thread keeps its connection for its next request (the config, distributed and logger
 * threads one each, as osquery's thread-local client), until {@code --tls_session_timeout} after it
 * was opened. A new connection resumes the last TLS session. Managers that close after every reply,
 * with or without {@code Connection: close}, get a new connection per request and lose nothing.
 * {@code false}: a new connection per request, {@code Connection: close}, and a full handshake.
 *
 * <p>A connection of its own ({@link HttpsConnection}) rather than the JDK's HttpURLConnection, whose
 * keep-alive cache drops an idle connection after 5 s (shorter than any check-in interval) and is
 * tuned by JVM-wide properties, or its HttpClient, which keeps a pool and a selector thread per client.
 * Client CPU per request, measured with hostqld's C1-only JIT (bench/run remote): about 0.2 ms kept,
 * 0.6 ms with HttpClient's kept connection, 2.8 ms on a new connection resuming the session, 3.8 ms with
 * a full handshake.
 */
public final class HttpsTransport {
    static final ObjectMapper JSON = new ObjectMapper();
    public static final String USER_AGENT = "osquery/" + Version.OSQUERY_COMPATIBLE;

    private final String hostname;
    private final SSLSocketFactory sockets;
    private final SSLSessionContext sessions;
    private final boolean sessionReuse;
    private final Proxy proxy;
    private final int connectTimeoutMillis, requestTimeoutMillis;
    private final long maxReplyBytes;
    private final boolean acceptGzip;
    private final String trustSource;
    private final boolean clientCert;
    private final RemoteStatus status;
    private final long sessionTimeoutNanos;
    /** Each calling thread's kept connection (osquery's thread-local client). */
    private final ThreadLocal<HttpsConnection> kept = new ThreadLocal<>();
    private volatile java.util.function.Supplier<String> alwaysParameter = () -> null;

    public record Options(String hostname, String serverCerts, String clientCert, String clientKey, String proxyHostname,
            long connectTimeoutSeconds, long requestTimeoutSeconds, boolean sessionReuse, long sessionTimeoutSeconds, long maxReplyBytes,
            boolean acceptGzip) {
        public static Options of(Settings s) {
            return new Options(s.get(RemoteFlags.TLS_HOSTNAME).strip(), s.get(RemoteFlags.TLS_SERVER_CERTS).strip(), s.get(RemoteFlags.TLS_CLIENT_CERT).strip(),
                    s.get(RemoteFlags.TLS_CLIENT_KEY).strip(), s.get(RemoteFlags.PROXY_HOSTNAME).strip(), s.get(RemoteFlags.TLS_CONNECT_TIMEOUT),
                    s.get(RemoteFlags.TLS_REQUEST_TIMEOUT), s.get(RemoteFlags.TLS_SESSION_REUSE), s.get(RemoteFlags.TLS_SESSION_TIMEOUT),
                    s.get(RemoteFlags.TLS_MAX_REPLY_BYTES), s.get(RemoteFlags.TLS_ACCEPT_GZIP));
        }
    }

    public HttpsTransport(Options o, RemoteStatus status) {
        if (o.hostname().isEmpty()) throw new SettingsException("tls_hostname is empty: set it to the manager's host or host:port");
        if (o.hostname().contains("/") || o.hostname().contains("://")) {
            throw new SettingsException("tls_hostname '" + o.hostname() + "' must be host or host:port, without a scheme or a path");
        }
        if (o.connectTimeoutSeconds() <= 0 || o.requestTimeoutSeconds() <= 0) {
            throw new SettingsException("tls_connect_timeout and tls_request_timeout must be at least 1 second");
        }
        if (o.maxReplyBytes() <= 0) throw new SettingsException("tls_max_reply_bytes must be at least 1");
        this.hostname = o.hostname();
        SSLContext ctx = PemTls.context("tls_server_certs", o.serverCerts(), "tls_client_cert", o.clientCert(), "tls_client_key",
                o.clientKey());
        // One context for every request: its session cache is what lets a new connection resume the last session.
        this.sessions = ctx.getClientSessionContext();
        if (o.sessionTimeoutSeconds() > 0) sessions.setSessionTimeout((int) Math.min(Integer.MAX_VALUE, o.sessionTimeoutSeconds()));
        this.sessionReuse = o.sessionReuse();
        this.sockets = new ModernTlsSocketFactory(ctx.getSocketFactory());
        this.proxy = proxy(o.proxyHostname());
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, o.connectTimeoutSeconds() * 1000);
        this.requestTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, o.requestTimeoutSeconds() * 1000);
        this.maxReplyBytes = o.maxReplyBytes();
        this.acceptGzip = o.acceptGzip();
        this.trustSource = o.serverCerts().isEmpty() ? "the system trust store (set --tls_server_certs to the manager's CA bundle)"
                : "--tls_server_certs " + o.serverCerts();
        this.clientCert = !o.clientCert().isEmpty();
        this.status = status;
        this.sessionTimeoutNanos = o.sessionTimeoutSeconds() <= 0 ? Long.MAX_VALUE
                : Math.min(Long.MAX_VALUE / 1_000_000_000L, o.sessionTimeoutSeconds()) * 1_000_000_000L;
    }

    /** --proxy_hostname: host:port of an HTTP proxy (CONNECT), or empty. */
    static Proxy proxy(String hostPort) {
        if (hostPort.isEmpty()) return Proxy.NO_PROXY;
        String hp = hostPort.replaceFirst("^https?://", "");
        int colon = hp.lastIndexOf(':');
        try {
            if (colon <= 0) throw new NumberFormatException();
            int port = Integer.parseInt(hp.substring(colon + 1));
            if (port <= 0 || port > 65535) throw new NumberFormatException();
            return new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(hp.substring(0, colon), port));
        } catch (NumberFormatException e) {
            throw new SettingsException("proxy_hostname '" + hostPort + "' must be host:port");
        }
    }

    /**
     * --tls_secret_always: every request's URL gets {@code ?name=<value>} (the enroll secret, as osquery's hidden flag).
     * Only in the request line: the URL that error lines and hostql_remote_status show never carries it.
     */
    public void sendAlways(String name, java.util.function.Supplier<String> value) {
        this.alwaysParameter = () -> {
            String v = value.get();
            return v == null || v.isEmpty() ? null
                    : java.net.URLEncoder.encode(name, StandardCharsets.UTF_8) + "=" + java.net.URLEncoder.encode(v, StandardCharsets.UTF_8);
        };
    }

    public String hostname() {
        return hostname;
    }

    public String url(String path) {
        return "https://" + hostname + (path.startsWith("/") ? "" : "/") + path;
    }

    public RemoteStatus status() {
        return status;
    }

    /**
     * POSTs body to path and returns the reply's JSON object, recording the outcome in the status.
     * nodeKey: the Authorization header, or null (enrollment). Throws an IOException whose message
     * names the URL and the reason; the reply's node_invalid and error keys are the caller's.
     */
    public ObjectNode post(String path, ObjectNode body, String nodeKey, boolean gzip) throws IOException {
        String url = url(path);
        int[] http = {0};
        try {
            ObjectNode reply = exchange(url, body, nodeKey, gzip, http);
            status.success(path, url, http[0]);
            return reply;
        } catch (IOException e) {
            if (!(e instanceof ReplyException || e instanceof SSLException || e instanceof SocketTimeoutException
                    || e instanceof ConnectException || e instanceof UnknownHostException)) {
                String refused = refusedAfterHandshake(new URL(url));
                if (refused != null) e = new RefusedAfterHandshake(refused, e);
            }
            String reason = "POST " + url + ": " + (e instanceof RefusedAfterHandshake ? refusedSession(e.getMessage()) : reason(e));
            status.failure(path, url, http[0], reason);
            throw new IOException(reason, e);
        }
    }

    private ObjectNode exchange(String url, ObjectNode body, String nodeKey, boolean gzip, int[] http) throws IOException {
        byte[] payload = JSON.writeValueAsBytes(body);
        if (gzip) payload = gzip(payload);
        URL u = new URL(url);
        byte[] head = head(u, payload.length, nodeKey, gzip);
        long deadline = System.nanoTime() + requestTimeoutMillis * 1_000_000L;
        HttpsConnection.Reply r = send(u, head, payload, deadline);
        int code = r.status();
        http[0] = code;
        byte[] reply = r.body();
        if ("gzip".equalsIgnoreCase(r.header("content-encoding"))) reply = gunzip(reply);
        if (code < 200 || code > 299) throw new ReplyException("HTTP " + code + (reply.length == 0 ? "" : ": " + excerpt(reply)));
        return object(reply);
    }

    /**
     * The request over this thread's kept connection when --tls_session_reuse allows one, else over a
     * new one. A kept connection the server closed since (an idle timeout, or a server that closes
     * after every reply without saying so) is seen before writing, by a 1 ms read; if the server
     * closes it in the instant between that check and the request, the request is sent once more on a
     * new connection, but only when not one byte of reply came back: a server that read the request,
     * acted on it and then dropped the connection without a reply would get it twice. That is the
     * duplicate {@link io.hostql.remote.Attempts} can already cause after a timeout, and osquery's too.
     */
    private HttpsConnection.Reply send(URL u, byte[] head, byte[] payload, long deadline) throws IOException {
        if (!sessionReuse) {
            forgetSessions();
            try (HttpsConnection c = connect(u)) {
                return c.exchange(head, payload, deadline, maxReplyBytes, requestTimeoutMillis);
            }
        }
        HttpsConnection c = kept.get();
        if (c != null && (c.olderThan(sessionTimeoutNanos) || !c.usable())) {
            c.close();
            c = null;
        }
        boolean reused = c != null;
        if (c == null) c = connect(u);
        kept.set(c);
        try {
            HttpsConnection.Reply r;
            try {
                r = c.exchange(head, payload, deadline, maxReplyBytes, requestTimeoutMillis);
            } catch (HttpsConnection.NoReply e) {
                if (!reused) throw e;
                c.close();
                kept.set(c = connect(u));
                r = c.exchange(head, payload, deadline, maxReplyBytes, requestTimeoutMillis);
            }
            if (!c.keepable()) forget(c); // the reply said close, or ended with the connection
            return r;
        } catch (IOException | RuntimeException e) {
            forget(c);
            throw e;
        }
    }

    private void forget(HttpsConnection c) {
        c.close();
        if (kept.get() == c) kept.remove();
    }

    private HttpsConnection connect(URL u) throws IOException {
        return HttpsConnection.open(sockets, u.getHost(), u.getPort() < 0 ? 443 : u.getPort(), proxy, connectTimeoutMillis,
                requestTimeoutMillis);
    }

    /** The request line and osquery's headers; Content-Length always, never a chunked body. */
    private byte[] head(URL u, int length, String nodeKey, boolean gzip) throws ReplyException {
        // Both come from outside (the flags, the manager's enroll reply): a line break would forge a header or a request.
        if (!printable(u.getFile())) throw new ReplyException("the endpoint '" + u.getFile() + "' has spaces or control characters");
        if (nodeKey != null && !printable(nodeKey)) throw new ReplyException("the node key has spaces or control characters; not sent");
        String target = u.getFile().isEmpty() ? "/" : u.getFile(), always = alwaysParameter.get();
        if (always != null) target += (target.contains("?") ? "&" : "?") + always;
        StringBuilder h = new StringBuilder(256).append("POST ").append(target).append(" HTTP/1.1\r\n");
        h.append("Host: ").append(u.getAuthority()).append("\r\n");
        h.append("Content-Type: application/json\r\nAccept: application/json\r\n");
        h.append("User-Agent: ").append(USER_AGENT).append("\r\n");
        if (acceptGzip) h.append("Accept-Encoding: gzip\r\n");
        if (gzip) h.append("Content-Encoding: gzip\r\n");
        if (nodeKey != null && !nodeKey.isEmpty()) h.append("Authorization: NodeKey ").append(nodeKey).append("\r\n");
        if (!sessionReuse) h.append("Connection: close\r\n");
        h.append("Content-Length: ").append(length).append("\r\n\r\n");
        return h.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static boolean printable(String s) {
        return s.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    private byte[] gunzip(byte[] reply) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(reply))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[16384];
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
                if (out.size() > maxReplyBytes) throw HttpsConnection.tooLarge(maxReplyBytes);
            }
            return out.toByteArray();
        }
    }

    /**
     * --tls_session_reuse=false: every connection makes a full handshake. The JDK resumes any session
     * its context still holds for the host and port (a TLS 1.3 ticket or a TLS 1.2 session id), so
     * none is left to resume.
     */
    private void forgetSessions() {
        for (java.util.Enumeration<byte[]> ids = sessions.getIds(); ids.hasMoreElements(); ) {
            javax.net.ssl.SSLSession s = sessions.getSession(ids.nextElement());
            if (s != null) s.invalidate();
        }
    }

    /**
     * Why a request failed when the server ended the TLS session: with TLS 1.3 a server that wants a
     * client certificate refuses it after the handshake, and the request sees only a failed write or an
     * end of file. A bare handshake and read (no request) tells: the
     * server's alert, or its closing at once; null when the server waits for a request as it should.
     */
    private String refusedAfterHandshake(URL url) {
        if (proxy != Proxy.NO_PROXY) return null;
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) sockets.createSocket()) {
            s.connect(new InetSocketAddress(url.getHost(), url.getPort() < 0 ? 443 : url.getPort()), connectTimeoutMillis);
            s.setSoTimeout(Math.min(requestTimeoutMillis, 1000)); // the refusal follows the handshake at once
            s.startHandshake();
            return s.getInputStream().read() < 0 ? "it closed the connection right after the handshake" : null;
        } catch (SSLException e) {
            return rootMessage(e);
        } catch (IOException e) {
            return null;
        }
    }

    static ObjectNode object(byte[] reply) throws ReplyException {
        JsonNode n;
        try {
            n = JSON.readTree(reply);
        } catch (JsonProcessingException e) {
            throw new ReplyException("the reply is not JSON (" + e.getOriginalMessage() + "): " + excerpt(reply));
        } catch (IOException e) {
            throw new ReplyException("the reply is not JSON: " + e.getMessage());
        }
        if (n == null || n.isMissingNode()) throw new ReplyException("the reply is empty; a JSON object was expected");
        if (!n.isObject()) throw new ReplyException("the reply is a JSON " + n.getNodeType().name().toLowerCase() + ", not an object");
        return (ObjectNode) n;
    }

    static String excerpt(byte[] reply) {
        String s = new String(reply, 0, Math.min(reply.length, 200), StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
        return reply.length > 200 ? s + "…" : s;
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 4 + 64);
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }

    /** A problem with a reply that arrived (status, size, JSON): its message is the whole reason. */
    public static final class ReplyException extends IOException {
        public ReplyException(String message) {
            super(message);
        }
    }

    private static final class RefusedAfterHandshake extends IOException {
        RefusedAfterHandshake(String how, IOException request) {
            super(how, request);
        }
    }

    /** One clause naming what went wrong and, for TLS, the flag that fixes it. */
    private String reason(IOException e) {
        if (e instanceof ReplyException) return e.getMessage();
        if (e instanceof SocketTimeoutException) {
            return "timed out (" + (e.getMessage() == null ? "no reply" : e.getMessage()) + "; --tls_connect_timeout "
                    + connectTimeoutMillis / 1000 + " s, --tls_request_timeout " + requestTimeoutMillis / 1000 + " s)";
        }
        if (e instanceof ConnectException) return "cannot connect to " + hostname + ": " + e.getMessage();
        if (e instanceof UnknownHostException) return "unknown host " + e.getMessage() + " (--tls_hostname)";
        Throwable cert = find(e, CertPathValidatorException.class);
        if (cert == null) cert = find(e, sun(e));
        if (cert != null) {
            return "the certificate of " + hostname + " cannot be verified (" + rootMessage(cert) + "): it is not signed by a CA of "
                    + trustSource + "; no request was sent";
        }
        CertificateException name = find(e, CertificateException.class);
        if (name != null && String.valueOf(name.getMessage()).startsWith("No ")) {
            return "the certificate of " + hostname + " is not for that name (" + name.getMessage() + "); set --tls_hostname to a name"
                    + " the certificate holds; no request was sent";
        }
        if (e instanceof SSLException || find(e, SSLException.class) != null) {
            String m = rootMessage(e);
            if (m.contains("certificate_required") || m.contains("bad_certificate") || (!clientCert && m.contains("handshake_failure"))) {
                return refusedSession(m);
            }
            if (e instanceof SSLHandshakeException) return "TLS handshake with " + hostname + " failed: " + m;
            return "TLS error: " + m;
        }
        String m = rootMessage(e);
        return m.isEmpty() ? e.getClass().getSimpleName() : "connection failed: " + m;
    }

    private String refusedSession(String how) {
        return "the server refused the TLS session (" + how + ")" + (clientCert
                ? ": it does not accept the client certificate of --tls_client_cert"
                : ": it may want a client certificate; set --tls_client_cert and --tls_client_key");
    }

    /** The JDK's certificate path exception (sun.security.validator.ValidatorException) without naming an internal class. */
    private static Class<? extends Throwable> sun(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getClass().getName().equals("sun.security.validator.ValidatorException")) return t.getClass();
        }
        return CertPathValidatorException.class;
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) if (type.isInstance(t)) return type.cast(t);
        return null;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage();
        if (m == null || m.isEmpty()) m = e.getMessage();
        if (m == null || m.isEmpty()) m = t.getClass().getSimpleName();
        return m;
    }
}
