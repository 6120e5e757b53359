package io.hostql.tables.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * The HTTP requests the cloud tables make to an instance metadata service (169.254.169.254 on a cloud
 * VM): plain HTTP/1.1, one connection per request ("Connection: close"). Timeouts are short, so a host
 * that is not in a cloud answers at once: 300 ms to connect (a metadata service is on the local link),
 * 2 s for each read. The socket is made by the querying thread, so the request goes out in that
 * thread's network namespace; no proxy, and no connection kept for another query (java.net's
 * HttpURLConnection keeps connections alive across threads and cannot be told not to).
 */
final class MetadataClient {
    static final String LINK_LOCAL = "169.254.169.254";
    static final int CONNECT_TIMEOUT_MS = 300;
    static final int READ_TIMEOUT_MS = 2000;
    private static final int MAX_BODY = 4 << 20;

    /** An HTTP answer: status and body. */
    record Response(int status, String body) {
        boolean ok() {
            return status == 200;
        }
    }

    private MetadataClient() {}

    /** Built on first use: the cloud tables are registered at every shell start, and an ObjectMapper costs ~1/5 of it. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    /** A metadata service's JSON answer, parsed. */
    static JsonNode json(String body) throws IOException {
        return Json.MAPPER.readTree(body);
    }

    /** GET or PUT (empty body) url with headers; an IOException when no HTTP answer came (nothing listening, no route, timeout). */
    static Response request(String method, String url, Map<String, String> headers) throws IOException {
        URI u = URI.create(url);
        if (!"http".equals(u.getScheme()) || u.getHost() == null) throw new IOException("not an http URL: " + url);
        int port = u.getPort() < 0 ? 80 : u.getPort();
        String target = (u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath())
                + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
        StringBuilder req = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(u.getHost()).append(u.getPort() < 0 ? "" : ":" + port).append("\r\n")
                .append("Connection: close\r\n");
        if (method.equals("PUT")) req.append("Content-Length: 0\r\n");
        headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        req.append("\r\n");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(u.getHost(), port), CONNECT_TIMEOUT_MS);
            s.setSoTimeout(READ_TIMEOUT_MS);
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return read(s.getInputStream());
        } catch (NumberFormatException e) {
            throw new IOException("bad HTTP answer from " + url + ": " + e.getMessage());
        }
    }

    static Response get(String url, Map<String, String> headers) throws IOException {
        return request("GET", url, headers);
    }

    /** Status line, headers, then the body by Content-Length, chunked, or up to the close. */
    private static Response read(InputStream in) throws IOException {
        String status = line(in);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) throw new IOException("not an HTTP answer: " + status);
        int code;
        try {
            code = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("bad HTTP status line: " + status);
        }
        long length = -1;
        boolean chunked = false;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            if (colon < 0) continue;
            String name = h.substring(0, colon).strip().toLowerCase(Locale.ROOT), value = h.substring(colon + 1).strip();
            if (name.equals("content-length")) length = Long.parseLong(value);
            if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) chunked = true;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            for (long n = Long.parseLong(line(in).split(";")[0].strip(), 16); n > 0; n = Long.parseLong(line(in).split(";")[0].strip(), 16)) {
                copy(in, body, n);
                line(in);
            }
        } else if (length >= 0) {
            copy(in, body, length);
        } else {
            copy(in, body, MAX_BODY);
        }
        return new Response(code, body.toString(StandardCharsets.UTF_8));
    }

    private static void copy(InputStream in, ByteArrayOutputStream out, long n) throws IOException {
        if (n > MAX_BODY) throw new IOException("metadata answer larger than " + MAX_BODY + " bytes");
        byte[] buf = new byte[8192];
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (r < 0) break;
            out.write(buf, 0, r);
            n -= r;
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                if (sb.length() == 0) throw new IOException("the connection closed before an answer");
                break;
            }
            if (c != '\r') sb.append((char) c);
            if (sb.length() > 65536) throw new IOException("HTTP header line too long");
        }
        return sb.toString();
    }
}
