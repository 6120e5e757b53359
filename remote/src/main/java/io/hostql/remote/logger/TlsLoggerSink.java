package io.hostql.remote.logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hostql.config.Settings;
import io.hostql.config.SettingsException;
import io.hostql.config.flags.LoggerFlags;
import io.hostql.events.LogLineEvent;
import io.hostql.loggers.delivery.Sink;
import io.hostql.remote.transport.RemoteClient;
import java.io.IOException;
import java.util.List;

/**
 * {@code --logger_plugin=tls}: result and status lines to the manager's log endpoint, as osquery's
 * TLS logger sends them ({@code {"node_key", "log_type": "result"|"status", "data": [line objects]}}),
 * at most {@code --logger_tls_max_lines} lines a request and one request every
 * {@code --logger_tls_period} seconds. The outbox holds the lines until the server took them, so an
 * outage or a restart delays them and loses none.
 */
public final class TlsLoggerSink implements Sink {
    public static final String PLUGIN = "tls";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RemoteClient client;
    private final String endpoint;
    private final long periodMillis, maxLineSize, maxBackoffMillis;
    private final int maxLines;
    private final boolean compress, status;
    private long lastSend;
    private boolean interrupted;

    public TlsLoggerSink(RemoteClient client, Settings s) {
        this.client = client;
        this.endpoint = s.get(LoggerFlags.LOGGER_TLS_ENDPOINT).strip();
        if (endpoint.isEmpty()) {
            throw new SettingsException("logger_plugin has tls but logger_tls_endpoint is empty: set it to the manager's log path"
                    + " (Fleet: /api/v1/osquery/log)");
        }
        long period = s.get(LoggerFlags.LOGGER_TLS_PERIOD), lines = s.get(LoggerFlags.LOGGER_TLS_MAX_LINES), size = s.get(LoggerFlags.LOGGER_TLS_MAX_LINESIZE);
        if (period < 0) throw new SettingsException("logger_tls_period must be 0 or more seconds, not " + period);
        if (lines < 1 || lines > 1_000_000) throw new SettingsException("logger_tls_max_lines must be 1 to 1000000, not " + lines);
        if (size < 1) throw new SettingsException("logger_tls_max_linesize must be at least 1 byte, not " + size);
        long backoff = s.get(LoggerFlags.LOGGER_TLS_BACKOFF_MAX);
        if (backoff < 1) throw new SettingsException("logger_tls_backoff_max must be at least 1 second, not " + backoff);
        this.maxBackoffMillis = Math.min(backoff, Long.MAX_VALUE / 2000) * 1000;
        this.periodMillis = period * 1000;
        this.maxLines = (int) lines;
        this.maxLineSize = size;
        this.compress = s.get(LoggerFlags.LOGGER_TLS_COMPRESS);
        this.status = !s.get(LoggerFlags.TLS_DISABLE_STATUS_LOG);
    }

    @Override
    public String plugin() {
        return PLUGIN;
    }

    @Override
    public String target() {
        return client.transport().url(endpoint);
    }

    public String endpoint() {
        return endpoint;
    }

    /** One request's lines a batch, as osquery deletes each request's lines from its buffer once sent. */
    @Override
    public int maxBatchLines() {
        return maxLines;
    }

    /** --logger_tls_backoff_max: the longest pause between retries while the manager is down. */
    @Override
    public long maxBackoffMillis() {
        return maxBackoffMillis;
    }

    @Override
    public boolean takesStatus() {
        return status;
    }

    @Override
    public void deliver(List<LogLineEvent> lines, Refused refused) throws IOException {
        synchronized (this) {
            interrupted = false;
        }
        ArrayNode data = null;
        String type = null;
        for (LogLineEvent l : lines) {
            String t = l.kind() == LogLineEvent.Kind.STATUS ? "status" : "result";
            if (l.line().length > maxLineSize) {
                refused.line(l, "longer than --logger_tls_max_linesize (" + maxLineSize + " bytes)");
                continue;
            }
            JsonNode line;
            try {
                line = JSON.readTree(l.line());
            } catch (IOException e) {
                refused.line(l, "not a JSON line, which the tls logger cannot send: " + e.getMessage());
                continue;
            }
            if (data != null && (!t.equals(type) || data.size() >= maxLines)) {
                send(type, data);
                data = null;
            }
            if (data == null) {
                data = JsonNodeFactory.instance.arrayNode();
                type = t;
            }
            data.add(line);
        }
        if (data != null) send(type, data);
    }

    private void send(String type, ArrayNode data) throws IOException {
        waitForPeriod();
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("log_type", type);
        body.set("data", data);
        lastSend = System.currentTimeMillis();
        client.post(endpoint, body, compress);
    }

    /** One request per --logger_tls_period: lines logged meanwhile go in the next one. */
    private synchronized void waitForPeriod() throws IOException {
        long due = lastSend + periodMillis;
        try {
            for (long left = due - System.currentTimeMillis(); left > 0; left = due - System.currentTimeMillis()) {
                if (interrupted) throw new IOException("tls logger stopping");
                wait(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("tls logger interrupted");
        }
    }

    /** Wakes a delivery waiting for its period (the runner is stopping); the connection is per request already. */
    @Override
    public synchronized void close() {
        interrupted = true;
        notifyAll();
    }
}
