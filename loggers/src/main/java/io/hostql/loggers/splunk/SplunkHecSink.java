package io.hostql.loggers.splunk;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;

/**
 * Beyond osquery: Splunk's HTTP Event Collector. A batch is one POST to {@code /services/collector/event}
 * holding one event object per line ({@code time}, {@code host}, {@code sourcetype} osquery:results or
 * osquery:status, the optional {@code index}, and the line itself as {@code event}), with
 * {@code Authorization: Splunk <token>}.
 *
 * <p>Without indexer acknowledgement a batch counts as delivered when HEC answers success (code 0).
 * With it ({@code --logger_splunk_ack}), every request carries this process's channel
 * ({@code X-Splunk-Request-Channel}), HEC answers an {@code ackId}, and the batch counts as delivered
 * only once {@code /services/collector/ack} says that id is indexed; until then the cursor does not
 * move, and a batch not acknowledged in time is sent again (HEC has no document ids: at most that batch
 * is duplicated).
 *
 * <p>An event HEC can never take ({@code invalid-event-number} in a 400 answer) is refused and counted
 * as lost with HEC's reason; the rest of the batch is sent again. A refused token (401, 403), a busy
 * server (503) or any other answer fails the batch, which the runner retries with back-off, saying so
 * once. The token is never in a message.
 */
final class SplunkHecSink implements Sink {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final long ACK_POLL_FIRST_MS = 100, ACK_POLL_MAX_MS = 2000;

    private final URI base, events, acks;
    private final String authorization, host, index, channel;
    private final boolean ack;
    private final long ackTimeoutMillis;
    private final HttpSender http;
    private volatile boolean closing;

    /** index empty: the token's default index. ackTimeoutMillis: how long to wait for an acknowledgement before sending again. */
    SplunkHecSink(URI base, String token, String host, String index, boolean ack, long ackTimeoutMillis, SSLContext tls) {
        this.base = base;
        this.events = base.resolve("services/collector/event");
        this.acks = base.resolve("services/collector/ack");
        this.authorization = "Splunk " + token;
        this.host = host;
        this.index = index;
        this.ack = ack;
        this.ackTimeoutMillis = ackTimeoutMillis;
        this.channel = UUID.randomUUID().toString();
        this.http = new HttpSender(tls, REQUEST_TIMEOUT);
    }

    @Override
    public String plugin() {
        return "splunk_hec";
    }

    @Override
    public String target() {
        return base.toString();
    }

    @Override
    public boolean takesStatus() {
        return true; // as sourcetype osquery:status
    }

    @Override
    public void deliver(List<LogLineEvent> lines, Refused refused) throws IOException {
        closing = false;
        List<LogLineEvent> pending = new ArrayList<>(lines);
        Map<LogLineEvent, String> refusals = new LinkedHashMap<>();
        while (!pending.isEmpty()) {
            HttpResponse<byte[]> r = post(events, body(pending));
            JsonNode answer = answer(r);
            int code = r.statusCode(), hec = answer.path("code").asInt(-1);
            String says = "HTTP " + code + " " + answer.path("text").asText("") + " (code " + hec + ")";
            if (code == 200 && hec == 0) {
                if (ack) awaitAck(answer);
                break;
            }
            JsonNode invalid = answer.get("invalid-event-number");
            if (code == 400 && invalid != null && invalid.canConvertToInt() && invalid.asInt() >= 0 && invalid.asInt() < pending.size()) {
                // Refusals are reported only with a batch that completes: a batch retried whole must not count them twice.
                refusals.put(pending.remove(invalid.asInt()), "HEC refused the event: " + says);
                continue;
            }
            if (code == 401 || code == 403) throw new IOException("HEC refused the token (" + says + "); check logger_splunk_token_file");
            if (code == 503) throw new IOException("HEC is busy (" + says + ")");
            if (hec == 14) throw new IOException("indexer acknowledgement is off for this token (" + says + "); turn it on or unset logger_splunk_ack");
            throw new IOException("HEC answered " + says);
        }
        refusals.forEach(refused::line);
    }

    private HttpResponse<byte[]> post(URI url, byte[] body) throws IOException {
        return ack ? http.post(url, body, "Authorization", authorization, "Content-Type", "application/json", "X-Splunk-Request-Channel", channel)
                : http.post(url, body, "Authorization", authorization, "Content-Type", "application/json");
    }

    /** HEC's JSON answer ({@code text}, {@code code}, ...); anything else fails the batch. */
    private static JsonNode answer(HttpResponse<byte[]> r) throws IOException {
        try {
            JsonNode n = JSON.readTree(r.body());
            if (n != null && n.isObject()) return n;
        } catch (IOException e) {
            // below
        }
        throw new IOException("HEC's answer (HTTP " + r.statusCode() + ") is not its JSON: " + HttpSender.snippet(r.body()));
    }

    /** Polls the ack endpoint until HEC says the request's events are indexed; throws when that does not come in time. */
    private void awaitAck(JsonNode answer) throws IOException {
        JsonNode id = answer.get("ackId");
        if (id == null || !id.canConvertToLong()) {
            throw new IOException("HEC answered no ackId although logger_splunk_ack is on: " + answer + " (is indexer acknowledgement on for this token?)");
        }
        byte[] query = ("{\"acks\":[" + id.asLong() + "]}").getBytes(StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + ackTimeoutMillis * 1_000_000L, pause = ACK_POLL_FIRST_MS;
        while (!closing) {
            HttpResponse<byte[]> r = post(acks, query);
            JsonNode a = answer(r);
            if (r.statusCode() != 200) throw new IOException("HEC's ack endpoint answered HTTP " + r.statusCode() + ": " + a);
            JsonNode state = a.path("acks").get(id.asText());
            if (state == null || !state.isBoolean()) throw new IOException("HEC's ack answer does not name ackId " + id.asLong() + ": " + a);
            if (state.asBoolean()) return;
            if (System.nanoTime() > deadline) {
                throw new IOException("HEC did not acknowledge request " + id.asLong() + " in " + ackTimeoutMillis / 1000 + " s; it is sent again");
            }
            LockSupport.parkNanos(pause * 1_000_000L);
            pause = Math.min(ACK_POLL_MAX_MS, pause * 2);
        }
        throw new IOException("stopping before HEC acknowledged request " + id.asLong());
    }

    private byte[] body(List<LogLineEvent> lines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(lines.size() * 600);
        JsonStringEncoder enc = JsonStringEncoder.getInstance();
        String fixed = ",\"host\":\"" + new String(enc.quoteAsString(host)) + "\""
                + (index.isEmpty() ? "" : ",\"index\":\"" + new String(enc.quoteAsString(index)) + "\"");
        for (LogLineEvent l : lines) {
            String sourcetype = l.kind() == LogLineEvent.Kind.STATUS ? "osquery:status" : "osquery:results";
            out.writeBytes(("{\"time\":" + LineTime.unixSeconds(l) + fixed + ",\"sourcetype\":\"" + sourcetype + "\",\"event\":")
                    .getBytes(StandardCharsets.UTF_8));
            out.writeBytes(l.line());
            out.write('}');
            out.write('\n');
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        closing = true;
        http.cancel();
    }
}
