package io.hostql.tables.self;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableRegistry;
import io.hostql.sql.table.TableSchema;

/** osquery_registry: the tables (and, in the daemon, plugins) this agent has. */
public final class OsqueryRegistryTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("osquery_registry", "List the osquery registry plugins.")
            .text("registry").text("name").integer("owner_uuid").integer("internal").integer("active")
            .build();

    private final TableRegistry registry;

    public OsqueryRegistryTable(TableRegistry registry) {
        this.registry = registry;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        for (Table t : registry.all()) {
            rows.add().set("registry", "table").set("name", t.schema().name()).set("owner_uuid", 0)
                    .set("internal", 0).set("active", 1);
        }
    }
}
