package io.hostql.tables.system;

import io.hostql.sql.table.Constraint;
import io.hostql.sql.table.ConstraintOp;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs a table's generator directly (no SQL), for parser tests on fake /proc, /sys and /etc trees. */
public final class Collect {
    private Collect() {}

    public static List<Map<String, Object>> rows(Table table) throws Exception {
        return rows(table, QueryContext.all(table.schema()));
    }

    /** Rows for {@code column = value} (or IN, with several values) pushed down to the generator. */
    public static List<Map<String, Object>> rowsWhere(Table table, String column, Object... values) throws Exception {
        List<Constraint> cs = new ArrayList<>();
        for (Object v : values) cs.add(new Constraint(ConstraintOp.EQ, v));
        return rows(table, new QueryContext(table.schema(), Map.of(column, cs), -1L));
    }

    public static List<Map<String, Object>> rows(Table table, QueryContext ctx) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        table.generate(ctx, () -> {
            Map<String, Object> row = new LinkedHashMap<>();
            out.add(row);
            return new RowSink.Row() {
                @Override
                public RowSink.Row set(String column, Object value) {
                    if (table.schema().indexOf(column) < 0) throw new AssertionError("no column " + column);
                    if (value instanceof byte[] b) value = new String(b, StandardCharsets.UTF_8);
                    if (value instanceof Integer i) value = i.longValue();
                    row.put(column, value);
                    return this;
                }
            };
        });
        return out;
    }
}
