package io.hostql.daemon;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.util.List;
import java.util.function.Supplier;

/**
 * osquery_events: each event publisher and subscriber with its events and activity, in osquery's
 * columns; hostql adds {@code losses} (events the source reported lost) after them.
 */
final class OsqueryEventsTable implements Table {
    /** One publisher or subscriber. */
    record Source(String name, String publisher, String type, long subscriptions, long events, long refreshes, boolean active,
            long losses) {}

    private static final TableSchema SCHEMA = TableSchema.builder("osquery_events", "Information about the event publishers and subscribers.")
            .text("name").text("publisher").text("type").integer("subscriptions").integer("events").integer("refreshes")
            .integer("active").bigint("losses")
            .build();

    private final Supplier<List<Source>> sources;

    OsqueryEventsTable(Supplier<List<Source>> sources) {
        this.sources = sources;
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
        for (Source s : sources.get()) {
            rows.add().set("name", s.name()).set("publisher", s.publisher()).set("type", s.type())
                    .set("subscriptions", s.subscriptions()).set("events", s.events()).set("refreshes", s.refreshes())
                    .set("active", s.active()).set("losses", s.losses());
        }
    }
}
