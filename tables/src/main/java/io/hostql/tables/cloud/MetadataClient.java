package io.hostql.tables.cloud;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The HTTP requests the cloud tables make to an instance metadata service (169.254.169.254 on a cloud
 * VM). Timeouts are short, so a host that is not in a cloud answers at once: 300 ms to connect (a
 * metadata service is on the local link), 2 s to read. Blocking java.net sockets, made by the querying
 * thread: the request goes out in that thread's network namespace, with no proxy and no kept-alive
 * connection shared between queries.
 */
final class MetadataClient {
    static final String LINK_LOCAL = "169.254.169.254";
    static final int CONNECT_TIMEOUT_MS = 300;
    static final int READ_TIMEOUT_MS = 2000;

    /** An HTTP answer: status and body. */
    record Response(int status, String body) {
        boolean ok() {
            return status == 200;
        }
    }

    private MetadataClient() {}

    /** GET or PUT url with headers; an IOException when no HTTP answer came (nothing listening, no route, timeout). */
    static Response request(String method, String url, Map<String, String> headers) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection(Proxy.NO_PROXY);
        try {
            c.setRequestMethod(method);
            c.setConnectTimeout(CONNECT_TIMEOUT_MS);
            c.setReadTimeout(READ_TIMEOUT_MS);
            c.setInstanceFollowRedirects(false);
            c.setUseCaches(false);
            c.setRequestProperty("Connection", "close");
            headers.forEach(c::setRequestProperty);
            if (method.equals("PUT")) {
                c.setDoOutput(true);
                c.setFixedLengthStreamingMode(0);
                c.getOutputStream().close();
            }
            int status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Response(status, body);
        } finally {
            c.disconnect();
        }
    }

    static Response get(String url, Map<String, String> headers) throws IOException {
        return request("GET", url, headers);
    }
}
