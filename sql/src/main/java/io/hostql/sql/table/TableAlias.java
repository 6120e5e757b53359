package io.hostql.sql.table;

/**
 * Another name for a table, as osquery's specs declare them ({@code table_name("augeas",
 * aliases=["configurations"])}): the same columns and the same rows, under the alias. Queries in
 * the wild use either name, so both must exist.
 */
public final class TableAlias implements Table {
    private final Table target;
    private final TableSchema schema;

    public TableAlias(String alias, Table target) {
        this.target = target;
        this.schema = target.schema().named(alias);
    }

    /** The table this alias names. */
    public Table target() {
        return target;
    }

    @Override
    public TableSchema schema() {
        return schema;
    }

    @Override
    public void generate(QueryContext context, RowSink rows) throws Exception {
        // The same columns in the same order, so the context (constraints by name, columns used by position) fits both.
        target.generate(context, rows);
    }

    @Override
    public boolean shareable() {
        return target.shareable();
    }
}
