package io.hostql.tables.fetchers;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.INDEX;
import static io.hostql.sql.table.ColumnOption.OPTIMIZED;
import static io.hostql.sql.table.ColumnOption.REQUIRED;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * curl: a GET of each url the query names, as osquery's curl table: user_agent defaults to "osquery"
 * (at most one may be given), the body is result and its length bytes, round_trip_time is in
 * microseconds, redirects are not followed, and TLS is verified against the JDK's trust store. A
 * request that fails still gives its row, with no response, and a warning in the status log.
 */
public final class CurlTable implements Table {
    /** Looked up when first needed: building the table registry must not start SLF4J (a shell without a provider would warn). */
    private static Logger log() {
        return LoggerFactory.getLogger(CurlTable.class);
    }
    static final String DEFAULT_USER_AGENT = "osquery";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private static final TableSchema SCHEMA = TableSchema.builder("curl", "Perform an http request and return stats about it.")
            .text("url", REQUIRED, INDEX, OPTIMIZED).text("method").text("user_agent", ADDITIONAL).integer("response_code")
            .bigint("round_trip_time").bigint("bytes").text("result")
            .build();

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public boolean shareable() {
        return false; // a request is made each time it is asked for
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        Set<String> agents = ctx.equalsText("user_agent");
        if (agents.size() > 1) {
            log().warn("curl: can only accept a single user_agent");
            return;
        }
        if (!ctx.likeText("url").isEmpty()) log().warn("curl: a LIKE on url is not supported; give urls with = or IN");
        String agent = agents.isEmpty() ? DEFAULT_USER_AGENT : agents.iterator().next();
        HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1).build();
        for (String url : ctx.equalsText("url")) {
            RowSink.Row row = rows.add().set("url", url).set("method", "GET").set("user_agent", agent);
            try {
                HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT).header("User-Agent", agent).GET().build();
                long start = System.nanoTime();
                HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                long micros = (System.nanoTime() - start) / 1000;
                row.set("response_code", (long) response.statusCode()).set("round_trip_time", micros)
                        .set("result", new String(response.body(), StandardCharsets.UTF_8)).set("bytes", (long) response.body().length);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                log().warn("curl: error making request to {}: {}", url, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            }
        }
    }
}
