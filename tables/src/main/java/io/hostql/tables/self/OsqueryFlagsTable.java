package io.hostql.tables.self;

import io.hostql.config.Settings;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;

/** osquery_flags: every setting with its type, description, default and current value. */
public final class OsqueryFlagsTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("osquery_flags", "Configurable flags that modify the agent's behavior.")
            .text("name").text("type").text("description").text("default_value").text("value").integer("shell_only")
            .build();

    private final Settings settings;

    public OsqueryFlagsTable(Settings settings) {
        this.settings = settings;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        for (Settings.Flag f : settings.flags()) {
            rows.add().set("name", f.name()).set("type", f.type()).set("description", f.description())
                    .set("default_value", f.defaultValue()).set("value", f.value()).set("shell_only", f.shellOnly());
        }
    }
}
