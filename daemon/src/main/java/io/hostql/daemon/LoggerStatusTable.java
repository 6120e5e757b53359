package io.hostql.daemon;

import io.hostql.loggers.delivery.SinkRunner;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.util.List;
import java.util.function.Supplier;

/**
 * hostql_logger_status: one row per logger plugin fed from the outbox (every listed plugin but
 * filesystem), so an operator can ask whether results reach the SIEM: state (starting, up, down),
 * lines delivered, waiting and dropped (since the plugin was first configured), the last error and
 * the last delivery time.
 */
final class LoggerStatusTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("hostql_logger_status",
                    "Delivery health of each logger plugin that reads the outbox (hostql).")
            .text("plugin").text("target").text("state").bigint("delivered").bigint("pending").bigint("dropped")
            .text("last_error").bigint("last_success")
            .build();

    private final Supplier<List<SinkRunner.Status>> sinks;

    LoggerStatusTable(Supplier<List<SinkRunner.Status>> sinks) {
        this.sinks = sinks;
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
    public void generate(QueryContext ctx, RowSink rows) {
        for (SinkRunner.Status s : sinks.get()) {
            rows.add().set("plugin", s.plugin()).set("target", s.target()).set("state", s.state()).set("delivered", s.delivered())
                    .set("pending", s.pending()).set("dropped", s.dropped()).set("last_error", s.lastError())
                    .set("last_success", s.lastSuccess());
        }
    }
}
