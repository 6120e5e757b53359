package io.hostql.sql.table;

/**
 * One SQL table backed by Java: it declares its schema and generates rows for a query, using the
 * constraints SQLite pushed down (see {@link QueryContext}). SQLite re-checks every constraint on
 * the rows, so a generator may return more rows than asked for, never fewer.
 */
public interface Table {
    TableSchema schema();

    void generate(QueryContext context, RowSink rows) throws Exception;
}
