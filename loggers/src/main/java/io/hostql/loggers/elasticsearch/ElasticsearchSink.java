package io.hostql.loggers.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hostql.events.LogLineEvent;
import io.hostql.loggers.delivery.HttpSender;
import io.hostql.loggers.delivery.LineTime;
import io.hostql.loggers.delivery.Sink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;

/**
 * Beyond osquery: result and status lines as documents, through the {@code _bulk} API of Elasticsearch
 * or OpenSearch (NDJSON, one {@code create} per line), into an index per day.
 *
 * <p>Each document is the line as the filesystem logger writes it (osquery's keys and types) with an
 * {@code @timestamp} added at the end, the line's {@code unixTime} in ISO 8601, for index patterns.
 * Its {@code _id} is derived from the outbox record (its time, sequence number and bytes): a batch
 * sent again (after a crash in flight, a receiver that closed mid-batch, or items rejected with 429)
 * meets its earlier copies as 409 conflicts, which count as delivered, so retries never duplicate a
 * document. Lines that the scheduler itself repeats after a crash are new lines, as in the file.
 *
 * <p>The response is read item by item: 2xx and 409 are delivered; 429 and 5xx items are sent again
 * (a few times here, then the whole batch fails and the runner retries it with back-off); any other
 * item error (a mapping conflict, a document the index can never take) refuses that line, which the
 * runner counts as lost with the receiver's reason. Nothing in the response is ignored: a body that is
 * not a {@code _bulk} answer fails the batch.
 */
final class ElasticsearchSink implements Sink {
    static final int ITEM_RETRIES = 3;
    private static final long ITEM_RETRY_PAUSE_MS = 500;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<URI> urls;
    private final IndexPattern results, status;
    private final String authorization; // null: none
    private final HttpSender http;
    private int current; // the URL that answered last; a connection failure moves to the next

    ElasticsearchSink(List<URI> urls, IndexPattern results, IndexPattern status, String authorization, SSLContext tls) {
        this.urls = List.copyOf(urls);
        this.results = results;
        this.status = status;
        this.authorization = authorization;
        this.http = new HttpSender(tls, REQUEST_TIMEOUT);
    }

    @Override
    public String plugin() {
        return "elasticsearch";
    }

    @Override
    public String target() {
        return String.join(",", urls.stream().map(URI::toString).toList());
    }

    @Override
    public boolean takesStatus() {
        return true; // into their own index
    }

    @Override
    public void deliver(List<LogLineEvent> lines, Refused refused) throws IOException {
        List<LogLineEvent> pending = lines;
        Map<LogLineEvent, String> refusals = new LinkedHashMap<>();
        for (int attempt = 0; ; attempt++) {
            List<LogLineEvent> again = new ArrayList<>();
            String retryReason = send(pending, refusals, again);
            if (again.isEmpty()) break;
            if (attempt + 1 >= ITEM_RETRIES) {
                // Refusals are reported only with a batch that completes: a batch retried whole must not count them twice.
                throw new IOException(again.size() + " of " + lines.size() + " documents were not taken after " + ITEM_RETRIES
                        + " attempts: " + retryReason);
            }
            pending = again;
            LockSupport.parkNanos(ITEM_RETRY_PAUSE_MS * (attempt + 1) * 1_000_000L);
        }
        refusals.forEach(refused::line);
    }

    /** One _bulk request; fills refusals and again (items to send again) and returns the reason of the first retryable item. */
    private String send(List<LogLineEvent> lines, Map<LogLineEvent, String> refusals, List<LogLineEvent> again) throws IOException {
        byte[] body = body(lines);
        HttpResponse<byte[]> response = post(body);
        int code = response.statusCode();
        if (code == 401 || code == 403) {
            throw new IOException("the receiver refused the credentials (HTTP " + code + "): " + HttpSender.snippet(response.body()));
        }
        if (code != 200) throw new IOException("_bulk answered HTTP " + code + ": " + HttpSender.snippet(response.body()));
        JsonNode items;
        try {
            items = JSON.readTree(response.body()).get("items");
        } catch (IOException e) {
            throw new IOException("the receiver's _bulk answer is not JSON: " + HttpSender.snippet(response.body()));
        }
        if (items == null || !items.isArray() || items.size() != lines.size()) {
            throw new IOException("the receiver's _bulk answer has " + (items == null || !items.isArray() ? "no" : items.size())
                    + " items for " + lines.size() + " documents: " + HttpSender.snippet(response.body()));
        }
        String retryReason = null;
        for (int i = 0; i < lines.size(); i++) {
            JsonNode item = items.get(i).get("create");
            JsonNode st = item == null ? null : item.get("status");
            if (st == null || !st.canConvertToInt()) throw new IOException("the receiver's _bulk item " + i + " has no create status: " + HttpSender.snippet(response.body()));
            int s = st.asInt();
            if (s >= 200 && s < 300 || s == 409) continue; // 409: created by an earlier attempt
            String reason = s + " " + error(item.get("error"));
            if (s == 429 || s >= 500) {
                again.add(lines.get(i));
                if (retryReason == null) retryReason = reason;
            } else {
                refusals.put(lines.get(i), "the receiver refused the document: " + reason);
            }
        }
        return retryReason;
    }

    private static String error(JsonNode e) {
        if (e == null) return "(no error given)";
        if (!e.isObject()) return e.asText();
        String out = e.path("type").asText("") + ": " + e.path("reason").asText("");
        JsonNode cause = e.get("caused_by");
        if (cause != null && cause.isObject()) out += " (" + cause.path("type").asText("") + ": " + cause.path("reason").asText("") + ")";
        return out;
    }

    private byte[] body(List<LogLineEvent> lines) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(lines.size() * 600);
        for (LogLineEvent l : lines) {
            long seconds = LineTime.unixSeconds(l);
            Instant at = Instant.ofEpochSecond(seconds);
            String index = (l.kind() == LogLineEvent.Kind.STATUS ? status : results).name(at);
            out.write(("{\"create\":{\"_index\":\"" + index + "\",\"_id\":\"" + documentId(l) + "\"}}\n").getBytes(StandardCharsets.UTF_8));
            writeWithTimestamp(out, l.line(), at.toString());
            out.write('\n');
        }
        return out.toByteArray();
    }

    /** The line's JSON object with "@timestamp" added as its last key (a line that is not an object goes as it is). */
    static void writeWithTimestamp(ByteArrayOutputStream out, byte[] line, String timestamp) {
        int end = line.length - 1;
        while (end >= 0 && (line[end] == ' ' || line[end] == '\n' || line[end] == '\r' || line[end] == '\t')) end--;
        if (end < 1 || line[0] != '{' || line[end] != '}') {
            out.write(line, 0, line.length);
            return;
        }
        int before = end - 1;
        while (before > 0 && (line[before] == ' ' || line[before] == '\n' || line[before] == '\r' || line[before] == '\t')) before--;
        out.write(line, 0, end);
        if (line[before] != '{') out.write(',');
        out.writeBytes(("\"@timestamp\":\"" + timestamp + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    /** Stable for the outbox record: its capture time, sequence number and bytes (so two equal rows stay two documents). */
    static String documentId(LogLineEvent l) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(ByteBuffer.allocate(16).putLong(l.captureNanos()).putLong(l.seq()).array());
            sha.update(l.line());
            byte[] d = sha.digest();
            return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(d, 18));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** POSTs to _bulk on the current URL, moving on to the next ones when it cannot be reached. */
    private HttpResponse<byte[]> post(byte[] body) throws IOException {
        IOException first = null;
        for (int tried = 0; tried < urls.size(); tried++) {
            URI url = urls.get(current).resolve("_bulk?filter_path=errors,items.*.status,items.*.error");
            try {
                return authorization == null ? http.post(url, body, "Content-Type", "application/x-ndjson")
                        : http.post(url, body, "Content-Type", "application/x-ndjson", "Authorization", authorization);
            } catch (IOException e) {
                if (first == null) first = e;
                current = (current + 1) % urls.size();
            }
        }
        throw first;
    }

    /** Aborts a request in flight (the runner is stopping). */
    @Override
    public void close() {
        http.cancel();
    }
}
