package io.hostql.tables.fetchers;

import com.fasterxml.jackson.databind.JsonNode;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import io.hostql.tables.self.AgentInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * prometheus_metrics: scrapes the targets of the config's prometheus_targets key, as osquery:
 * {"prometheus_targets": {"timeout": seconds (default 1), "urls": ["http://127.0.0.1:9100/metrics", …]}},
 * redirects followed, one row per sample of the text exposition format, stamped with the time of the
 * scrape. The metric name keeps its labels ({@code node_cpu_seconds_total{cpu="0",mode="idle"}}); a
 * label value holding a blank stays whole (osquery splits such a line at the blank). No config, or a
 * shell without one, gives no rows.
 */
public final class PrometheusMetricsTable implements Table {
    /** Looked up when first needed: building the table registry must not start SLF4J (a shell without a provider would warn). */
    private static Logger log() {
        return LoggerFactory.getLogger(PrometheusMetricsTable.class);
    }
    static final String CONFIG_KEY = "prometheus_targets";

    private static final TableSchema SCHEMA = TableSchema.builder("prometheus_metrics", "Retrieve metrics from a Prometheus server.")
            .text("target_name").text("metric_name").real("metric_value").bigint("timestamp_ms")
            .build();

    private final Supplier<JsonNode> config;

    public PrometheusMetricsTable() {
        this(() -> AgentInfo.configKey(CONFIG_KEY));
    }

    PrometheusMetricsTable(Supplier<JsonNode> config) {
        this.config = config;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public boolean shareable() {
        return false;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        JsonNode c = config.get();
        if (c == null || !c.isObject()) return;
        JsonNode urls = c.get("urls");
        if (urls == null || !urls.isArray()) {
            if (c.size() > 0) log().warn("prometheus_targets: the config is missing field: urls");
            return;
        }
        long timeout = c.path("timeout").asLong(1);
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(Math.max(1, timeout)))
                .followRedirects(HttpClient.Redirect.NORMAL).version(HttpClient.Version.HTTP_1_1).build();
        for (JsonNode u : urls) {
            String url = u.asText();
            String body;
            long stamp;
            try {
                HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(Math.max(1, timeout))).GET().build();
                body = client.send(request, HttpResponse.BodyHandlers.ofString()).body();
                stamp = System.currentTimeMillis();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                log().error("prometheus_metrics: failed on scrape of target {}: {}", url, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
                continue;
            }
            for (String[] sample : samples(body)) {
                rows.add().set("target_name", url).set("metric_name", sample[0]).set("metric_value", value(sample[1])).set("timestamp_ms", stamp);
            }
        }
    }

    /** The samples of a text exposition: {name with labels, value}; comments, blank and malformed lines skipped. */
    static List<String[]> samples(String body) {
        List<String[]> out = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.isEmpty() || line.charAt(0) == '#') continue;
            int nameEnd = nameEnd(line);
            if (nameEnd <= 0 || nameEnd >= line.length()) continue;
            String[] rest = line.substring(nameEnd).strip().split("[ \t]+");
            if (rest.length == 0 || rest[0].isEmpty()) continue;
            out.add(new String[] {line.substring(0, nameEnd), rest[0]});
        }
        return out;
    }

    /** Where the metric name (and its {labels}, whose quoted values may hold blanks and escaped quotes) ends. */
    private static int nameEnd(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != ' ' && line.charAt(i) != '\t' && line.charAt(i) != '{') i++;
        if (i < line.length() && line.charAt(i) == '{') {
            boolean quoted = false;
            for (i++; i < line.length(); i++) {
                char ch = line.charAt(i);
                if (quoted && ch == '\\') i++;
                else if (ch == '"') quoted = !quoted;
                else if (!quoted && ch == '}') return i + 1;
            }
            return -1;
        }
        return i;
    }

    /** Go's ParseFloat spellings the format uses: NaN, +Inf, -Inf, and decimal or exponent numbers. */
    static Double value(String s) {
        switch (s) {
            case "NaN": return Double.NaN;
            case "+Inf": case "Inf": return Double.POSITIVE_INFINITY;
            case "-Inf": return Double.NEGATIVE_INFINITY;
            default:
                try {
                    return Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    return null;
                }
        }
    }
}
