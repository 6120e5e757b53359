package io.hostql.daemon.schedule;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.util.List;
import java.util.function.Supplier;

/** osquery_schedule and osquery_packs, as osquery names them (Fleet reads them). Empty without a scheduler (--config_check). */
public final class ScheduleTables {
    private ScheduleTables() {}

    public static List<Table> all(Supplier<Scheduler> scheduler) {
        return List.of(new ScheduleTable(scheduler), new PacksTable(scheduler));
    }

    static final class ScheduleTable implements Table {
        private static final TableSchema SCHEMA = TableSchema.builder("osquery_schedule", "Information about the event schedule.")
                .text("name").text("query").integer("interval").bigint("executions").bigint("last_executed")
                .integer("denylisted").bigint("output_size").bigint("wall_time").bigint("wall_time_ms")
                .bigint("last_wall_time_ms").bigint("user_time").bigint("last_user_time").bigint("system_time")
                .bigint("last_system_time").bigint("average_memory").bigint("last_memory")
                .build();
        private final Supplier<Scheduler> scheduler;

        ScheduleTable(Supplier<Scheduler> scheduler) {
            this.scheduler = scheduler;
        }

        @Override
        public TableSchema schema() {
            return SCHEMA;
        }

        @Override
        public boolean shareable() {
            return false; // changes with every query the tick runs
        }

        @Override
        public void generate(QueryContext ctx, RowSink rows) {
            Scheduler s = scheduler.get();
            if (s == null) return;
            for (Scheduler.Status q : s.status()) {
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

    static final class PacksTable implements Table {
        private static final TableSchema SCHEMA = TableSchema.builder("osquery_packs", "Information about the current query packs that are loaded in osquery.")
                .text("name").text("platform").text("version").integer("shard").integer("discovery_cache_hits")
                .integer("discovery_executions").integer("active")
                .build();
        private final Supplier<Scheduler> scheduler;

        PacksTable(Supplier<Scheduler> scheduler) {
            this.scheduler = scheduler;
        }

        @Override
        public TableSchema schema() {
            return SCHEMA;
        }

        @Override
        public boolean shareable() {
            return false; // changes with every query the tick runs
        }

        @Override
        public void generate(QueryContext ctx, RowSink rows) {
            Scheduler s = scheduler.get();
            if (s == null) return;
            for (Scheduler.PackStatus p : s.packs()) {
                rows.add().set("name", p.name()).set("platform", p.platform()).set("version", p.version()).set("shard", p.shard())
                        .set("discovery_cache_hits", p.discoveryCacheHits()).set("discovery_executions", p.discoveryExecutions())
                        .set("active", p.active());
            }
        }
    }
}
