package io.hostql.loggers.delivery;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLContext;

/**
 * The HTTP side of the HTTP logger plugins: one JDK HttpClient per plugin (HTTP/1.1, kept-alive
 * connections, TLS verified against the given trust, host names checked), and a request in flight that
 * {@link #cancel()} aborts when the plugin's runner stops. Failures are IOExceptions naming the URL.
 */
public final class HttpSender {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private final HttpClient client;
    private final Duration timeout;
    private volatile CompletableFuture<HttpResponse<byte[]>> inFlight;

    /** tls null: the JDK's default trust (only used for https:// URLs). */
    public HttpSender(SSLContext tls, Duration timeout) {
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT);
        if (tls != null) b.sslContext(tls);
        this.client = b.build();
        this.timeout = timeout;
    }

    /** POSTs body with the headers (name, value, name, value...); any answer is returned, whatever its status. */
    public HttpResponse<byte[]> post(URI url, byte[] body, String... headers) throws IOException {
        HttpRequest.Builder req = HttpRequest.newBuilder(url).timeout(timeout).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i + 1 < headers.length; i += 2) req.header(headers[i], headers[i + 1]);
        CompletableFuture<HttpResponse<byte[]>> call = client.sendAsync(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        inFlight = call;
        try {
            return call.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending to " + url);
        } catch (CancellationException e) {
            throw new IOException("the request to " + url + " was cancelled (the logger plugin is stopping)");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            String why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            throw new IOException("cannot send to " + url + ": " + why, cause);
        } finally {
            inFlight = null;
        }
    }

    /** Aborts the request in flight, if any; the client and its pooled connections stay for the next one. */
    public void cancel() {
        CompletableFuture<?> call = inFlight;
        if (call != null) call.cancel(true);
    }

    /**
     * A receiver's base URL from a flag: http:// or https:// with a host, ending in '/' (so endpoints
     * resolve below it), and no credentials in it (they would show in ps and in the status log).
     */
    public static URI baseUrl(String flag, String value) {
        URI uri;
        try {
            uri = new URI(value.endsWith("/") ? value : value + "/");
        } catch (java.net.URISyntaxException e) {
            throw new io.hostql.config.SettingsException(flag + ": '" + value + "' is not a URL: " + e.getMessage());
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new io.hostql.config.SettingsException(flag + ": '" + value + "' is not an http:// or https:// URL with a host");
        }
        if (uri.getUserInfo() != null) {
            throw new io.hostql.config.SettingsException(flag + ": the URL of " + uri.getHost() + " carries credentials; they belong in a file");
        }
        return uri;
    }

    /** A receiver's answer, short and on one line, for a status line. */
    public static String snippet(byte[] body) {
        String t = new String(body, java.nio.charset.StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
        return t.isEmpty() ? "(empty body)" : t.length() > 300 ? t.substring(0, 300) + "..." : t;
    }
}
