package io.hostql.tables.self;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.util.List;

/** osquery_schedule, osquery_packs and osquery_events, as osquery names them (Fleet reads them), over a {@link DaemonState}. */
final class DaemonStateTables {
    private DaemonStateTables() {}

    static List<Table> all(DaemonState state) {
        return List.of(new ScheduleTable(state), new PacksTable(state), new EventsTable(state));
    }

    /** The daemon's state changes between the queries of one tick: never shared through the row cache. */
    private abstract static class StateTable implements Table {
        private final TableSchema schema;
        final DaemonState state;

        StateTable(TableSchema schema, DaemonState state) {
            this.schema = schema;
            this.state = state;
        }

        @Override
        public TableSchema schema() {
            return schema;
        }

        @Override
        public boolean shareable() {
            return false;
        }
    }

    static final class ScheduleTable extends StateTable {
        private static final TableSchema SCHEMA = TableSchema.builder("osquery_schedule", "Information about the event schedule.")
                .text("name").text("query").integer("interval").bigint("executions").bigint("last_executed")
                .integer("denylisted").bigint("output_size").bigint("wall_time").bigint("wall_time_ms")
                .bigint("last_wall_time_ms").bigint("user_time").bigint("last_user_time").bigint("system_time")
                .bigint("last_system_time").bigint("average_memory").bigint("last_memory")
                .build();

        ScheduleTable(DaemonState state) {
            super(SCHEMA, state);
        }

        @Override
        public void generate(QueryContext ctx, RowSink rows) {
            for (DaemonState.QueryStatus q : state.schedule()) {
                rows.add().set("name", q.name()).set("query", q.sql()).set("interval", q.interval()).set("executions", q.executions())
                        .set("last_executed", q.lastExecuted()).set("denylisted", q.denylisted()).set("output_size", q.outputSize())
                        .set("wall_time", q.wallTimeMs() / 1000).set("wall_time_ms", q.wallTimeMs())
                        .set("last_wall_time_ms", q.lastWallTimeMs()).set("user_time", q.userTimeMs())
                        .set("last_user_time", q.lastUserTimeMs()).set("system_time", q.systemTimeMs())
                        .set("last_system_time", q.lastSystemTimeMs()).set("average_memory", q.averageMemory())
                        .set("last_memory", q.lastMemory());
            }
        }
    }

    static final class PacksTable extends StateTable {
        private static final TableSchema SCHEMA = TableSchema.builder("osquery_packs", "Information about the current query packs that are loaded in osquery.")
                .text("name").text("platform").text("version").integer("shard").integer("discovery_cache_hits")
                .integer("discovery_executions").integer("active")
                .build();

        PacksTable(DaemonState state) {
            super(SCHEMA, state);
        }

        @Override
        public void generate(QueryContext ctx, RowSink rows) {
            for (DaemonState.PackStatus p : state.packs()) {
                rows.add().set("name", p.name()).set("platform", p.platform()).set("version", p.version()).set("shard", p.shard())
                        .set("discovery_cache_hits", p.discoveryCacheHits()).set("discovery_executions", p.discoveryExecutions())
                        .set("active", p.active());
            }
        }
    }

    /** osquery's columns; hostql adds {@code losses} (events the source reported lost) after them. */
    static final class EventsTable extends StateTable {
        private static final TableSchema SCHEMA = TableSchema.builder("osquery_events", "Information about the event publishers and subscribers.")
                .text("name").text("publisher").text("type").integer("subscriptions").integer("events").integer("refreshes")
                .integer("active").bigint("losses")
                .build();

        EventsTable(DaemonState state) {
            super(SCHEMA, state);
        }

        @Override
        public void generate(QueryContext ctx, RowSink rows) {
            for (DaemonState.EventSource s : state.eventSources()) {
                rows.add().set("name", s.name()).set("publisher", s.publisher()).set("type", s.type())
                        .set("subscriptions", s.subscriptions()).set("events", s.events()).set("refreshes", s.refreshes())
                        .set("active", s.active()).set("losses", s.losses());
            }
        }
    }
}
