package io.hostql.tables.fetchers;

import io.hostql.sql.table.Table;
import java.util.List;

/** Tables that fetch over the network what a query names (curl, curl_certificate) or the config lists (prometheus_metrics). Registering a table is one line here. */
public final class FetcherTables {
    private FetcherTables() {}

    public static List<Table> all() {
        return List.of(
                new CurlTable(),
                new CurlCertificateTable(),
                new PrometheusMetricsTable()
        );
    }
}
