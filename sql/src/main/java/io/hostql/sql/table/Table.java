package io.hostql.sql.table;

/**
 * One SQL table backed by Java: it declares its schema and generates rows for a query, using the
 * constraints SQLite pushed down (see {@link QueryContext}). SQLite re-checks every constraint on
 * the rows, so a generator may return more rows than asked for, never fewer.
 */
public interface Table {
    TableSchema schema();

    void generate(QueryContext context, RowSink rows) throws Exception;

    /**
     * Whether the rows generated for one statement may serve another statement inside the same
     * {@link RowCache} scope (the scheduled queries of one scheduler tick, as osquery's cacheable
     * tables). False for tables that describe the agent's own state, which changes between them.
     */
    default boolean shareable() {
        return true;
    }
}
