package io.hostql.daemon;

import io.hostql.remote.status.RemoteStatus;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.util.List;
import java.util.function.Supplier;

/**
 * hostql_remote_status: one row per endpoint of the manager hostqld has called (enroll, config, log,
 * distributed, carve), so an operator can see locally what Fleet sees: requests and failures, the
 * last success and failure, the last HTTP status and error, the node key's age, the config hash and
 * when it was applied (config endpoint), and the lines waiting for the log endpoint.
 */
final class RemoteStatusTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("hostql_remote_status",
                    "Requests to the osquery manager (TLS remote API), per endpoint (hostql).")
            .text("endpoint").text("url").bigint("requests").bigint("failures").bigint("last_success").bigint("last_failure")
            .bigint("last_http_status").text("last_error").bigint("node_key_age").text("config_hash").bigint("config_applied")
            .bigint("pending_lines")
            .build();

    private final Supplier<List<RemoteStatus.Row>> rows;

    RemoteStatusTable(Supplier<List<RemoteStatus.Row>> rows) {
        this.rows = rows;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public boolean shareable() {
        return false; // counters move between the queries of a tick
    }

    @Override
    public void generate(QueryContext ctx, RowSink out) {
        for (RemoteStatus.Row r : rows.get()) {
            out.add().set("endpoint", r.endpoint()).set("url", r.url()).set("requests", r.requests()).set("failures", r.failures())
                    .set("last_success", r.lastSuccess()).set("last_failure", r.lastFailure()).set("last_http_status", r.lastHttpStatus())
                    .set("last_error", r.lastError()).set("node_key_age", r.nodeKeyAge()).set("config_hash", r.configHash())
                    .set("config_applied", r.configApplied()).set("pending_lines", r.pendingLines());
        }
    }
}
