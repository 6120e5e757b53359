package io.hostql.remote.transport;

import io.hostql.remote.transport.HttpsTransport.ReplyException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 connection to the manager over TLS, held by the transport so that it can be kept
 * between requests (osquery's {@code --tls_session_reuse}): the JDK's HttpURLConnection keeps idle
 * connections 5 s unless the server says otherwise, shorter than any check-in interval, and its
 * HttpClient adds a selector thread and a pool. Requests always carry a Content-Length; replies may
 * have a Content-Length, be chunked (Go's net/http chunks replies over 4 KiB) or end with the
 * connection.
 */
final class HttpsConnection implements Closeable {
    private static final int MAX_HEAD_BYTES = 64 * 1024;

    private final SSLSocket socket;
    private final Socket plain;
    private final InputStream in;
    private final OutputStream out;
    private final long openedNanos = System.nanoTime();
    private boolean reusable = true;
    private int requests;

    private HttpsConnection(SSLSocket socket, Socket plain) throws IOException {
        this.socket = socket;
        this.plain = plain;
        this.in = new BufferedInputStream(socket.getInputStream(), 16384);
        this.out = socket.getOutputStream();
    }

    /**
     * Connects (through an HTTP proxy's CONNECT when proxy is one) and makes the TLS handshake,
     * verifying the certificate for host as HTTPS does (subjectAltName, else the CN).
     */
    static HttpsConnection open(SSLSocketFactory tls, String host, int port, Proxy proxy, int connectTimeoutMillis, int readTimeoutMillis)
            throws IOException {
        Socket plain = new Socket(Proxy.NO_PROXY);
        try {
            plain.setTcpNoDelay(true);
            if (proxy.type() == Proxy.Type.HTTP) {
                InetSocketAddress p = (InetSocketAddress) proxy.address();
                plain.connect(new InetSocketAddress(p.getHostString(), p.getPort()), connectTimeoutMillis);
                plain.setSoTimeout(readTimeoutMillis);
                tunnel(plain, host + ":" + port);
            } else {
                plain.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
            }
            plain.setSoTimeout(readTimeoutMillis);
            SSLSocket s = (SSLSocket) tls.createSocket(plain, host, port, true); // host: SNI, name check, session cache key
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            s.startHandshake();
            return new HttpsConnection(s, plain);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    private static void tunnel(Socket proxy, String hostPort) throws IOException {
        OutputStream o = proxy.getOutputStream();
        o.write(("CONNECT " + hostPort + " HTTP/1.1\r\nHost: " + hostPort + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        o.flush();
        InputStream i = proxy.getInputStream(); // unbuffered: nothing past the proxy's reply may be consumed here
        String status = line(i, false);
        while (!line(i, false).isEmpty()) {
            // the proxy's headers: nothing to use
        }
        if (code(status) / 100 != 2) throw new IOException("the proxy (--proxy_hostname) refused CONNECT " + hostPort + ": " + status);
    }

    /** Opened longer ago than that: osquery tears its kept client down after --tls_session_timeout. */
    boolean olderThan(long nanos) {
        return System.nanoTime() - openedNanos > nanos;
    }

    int requests() {
        return requests;
    }

    /** Whether the last reply left the connection open for another request (HTTP/1.1 without Connection: close). */
    boolean keepable() {
        return reusable && !socket.isClosed();
    }

    /**
     * Whether the connection can take another request: the last reply allowed it, and the server has
     * not closed it since (an idle timeout, or a server that closes after every reply without saying
     * so). Bytes waiting since the last reply are a close_notify (or a late session ticket): a 1 ms read tells which,
     * as the JDK's own keep-alive cache checks a cached connection.
     */
    boolean usable() {
        if (!reusable || socket.isClosed()) return false;
        try {
            // Nothing has arrived since the last reply (the kernel's count, no wait): open, or closed without a TLS
            // close_notify, which the first read of the reply tells and the transport's retry covers.
            if (plain.getInputStream().available() == 0) return true;
        } catch (IOException e) {
            return false;
        }
        try {
            socket.setSoTimeout(1);
            in.mark(1);
            int b = in.read();
            if (b >= 0) in.reset();
            return false; // an end of stream, or bytes nobody asked for
        } catch (SocketTimeoutException e) {
            return true; // nothing to read: still open
        } catch (IOException e) {
            return false;
        }
    }

    /** What came back: the status, the headers (names lower case), the body as sent (maybe gzip'd). */
    record Reply(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    /** Thrown when nothing of the reply arrived: the server may have closed a kept connection before reading the request. */
    static final class NoReply extends IOException {
        NoReply(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Sends the request head and body and reads the whole reply, at most maxReplyBytes of body, within
     * the deadline (a server trickling bytes does not hold the caller).
     */
    Reply exchange(byte[] head, byte[] body, long deadlineNanos, long maxReplyBytes, int requestTimeoutMillis) throws IOException {
        requests++;
        reusable = false; // until a whole reply has been read and allows it
        Deadline d = new Deadline(deadlineNanos, requestTimeoutMillis);
        try {
            socket.setSoTimeout(d.remainingMillis());
            byte[] request = java.util.Arrays.copyOf(head, head.length + body.length); // one write: one TLS record for a small request
            System.arraycopy(body, 0, request, head.length, body.length);
            out.write(request);
            out.flush();
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            throw new NoReply("the connection closed before the request was sent (" + e.getMessage() + ")", e);
        }
        String status;
        Map<String, String> headers;
        int code;
        do {
            d.apply();
            try {
                in.mark(1);
                if (in.read() < 0) throw new NoReply("the server closed the connection without a reply", null);
                in.reset();
            } catch (SocketTimeoutException | NoReply e) {
                throw e;
            } catch (IOException e) {
                throw new NoReply("the connection failed before any reply (" + e.getMessage() + ")", e);
            }
            status = line(in, true);
            code = code(status);
            headers = headers(d);
        } while (code >= 100 && code < 200); // interim replies (100 Continue): the real one follows
        boolean http11 = status.startsWith("HTTP/1.1");
        String connection = headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT);
        boolean keep = http11 ? !connection.contains("close") : connection.contains("keep-alive");
        byte[] content;
        String te = headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT);
        String cl = headers.get("content-length");
        if (code == 204 || code == 304) {
            content = new byte[0];
        } else if (te.contains("chunked")) {
            content = chunked(d, maxReplyBytes);
        } else if (cl != null) {
            long length;
            try {
                length = Long.parseLong(cl.strip());
            } catch (NumberFormatException e) {
                throw new ReplyException("the reply's Content-Length '" + cl + "' is not a number");
            }
            if (length > maxReplyBytes) throw tooLarge(maxReplyBytes);
            content = exactly(d, (int) length);
        } else {
            content = untilEnd(d, maxReplyBytes);
            keep = false;
        }
        reusable = keep;
        return new Reply(code, headers, content);
    }

    private Map<String, String> headers(Deadline d) throws IOException {
        Map<String, String> h = new LinkedHashMap<>();
        int total = 0;
        for (String l; !(l = line(in, true)).isEmpty(); ) {
            total += l.length();
            if (total > MAX_HEAD_BYTES) throw new ReplyException("the reply's headers are larger than " + MAX_HEAD_BYTES + " bytes");
            int colon = l.indexOf(':');
            if (colon <= 0) throw new ReplyException("the reply has a malformed header line: " + l);
            h.merge(l.substring(0, colon).strip().toLowerCase(Locale.ROOT), l.substring(colon + 1).strip(), (a, b) -> a + ", " + b);
            d.apply();
        }
        return h;
    }

    private byte[] exactly(Deadline d, int length) throws IOException {
        byte[] b = new byte[length];
        int n = 0;
        while (n < length) {
            d.apply();
            int r = in.read(b, n, Math.min(length - n, 16384));
            if (r < 0) throw new ReplyException("the connection closed after " + n + " of the reply's " + length + " bytes");
            n += r;
        }
        return b;
    }

    private byte[] untilEnd(Deadline d, long max) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[16384];
        for (int r; d.apply() && (r = in.read(buf)) >= 0; ) {
            b.write(buf, 0, r);
            if (b.size() > max) throw tooLarge(max);
        }
        return b.toByteArray();
    }

    private byte[] chunked(Deadline d, long max) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (true) {
            d.apply();
            String size = line(in, true);
            int semi = size.indexOf(';');
            long n;
            try {
                n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).strip(), 16);
            } catch (NumberFormatException e) {
                throw new ReplyException("the reply's chunk size '" + size + "' is not a hexadecimal number");
            }
            if (n == 0) break;
            if (b.size() + n > max) throw tooLarge(max);
            b.write(exactly(d, (int) n));
            if (!line(in, true).isEmpty()) throw new ReplyException("the reply's chunk of " + n + " bytes is not followed by a line end");
        }
        while (!line(in, true).isEmpty()) d.apply(); // trailers: none used
        return b.toByteArray();
    }

    static ReplyException tooLarge(long max) {
        return new ReplyException("the reply is larger than " + max + " bytes (--tls_max_reply_bytes); refused");
    }

    /** A line of the reply's head, without its CR LF; an end of stream in it is a reply cut short. */
    private static String line(InputStream in, boolean reply) throws IOException {
        StringBuilder s = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) throw new ReplyException("the connection closed in the " + (reply ? "reply's" : "proxy's") + " head");
            if (s.length() > MAX_HEAD_BYTES) throw new ReplyException("a line of the " + (reply ? "reply's" : "proxy's") + " head is too long");
            s.append((char) c);
        }
        int end = s.length();
        if (end > 0 && s.charAt(end - 1) == '\r') s.setLength(end - 1);
        return s.toString();
    }

    private static int code(String statusLine) throws ReplyException {
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) throw new ReplyException("the reply is not HTTP: " + statusLine);
        try {
            return Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new ReplyException("the reply is not HTTP: " + statusLine);
        }
    }

    /** The request's deadline applied to each blocking read. */
    private final class Deadline {
        private final long at;
        private final int timeoutMillis;

        Deadline(long at, int timeoutMillis) {
            this.at = at;
            this.timeoutMillis = timeoutMillis;
        }

        int remainingMillis() throws SocketTimeoutException {
            long left = (at - System.nanoTime()) / 1_000_000;
            if (left <= 0) throw new SocketTimeoutException("the reply took longer than " + timeoutMillis / 1000 + " s");
            return (int) Math.min(Integer.MAX_VALUE, left);
        }

        boolean apply() throws IOException {
            socket.setSoTimeout(remainingMillis());
            return true;
        }
    }

    @Override
    public void close() {
        reusable = false;
        try {
            socket.close();
        } catch (IOException e) {
            // closing: nothing to do about it
        }
    }
}
