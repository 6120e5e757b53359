package io.hostql.tables.packages;

import io.hostql.sql.table.Constraint;
import io.hostql.sql.table.ConstraintOp;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs a table's generator directly and keeps its rows as column -> value maps. */
public final class Collect {
    private Collect() {}

    public static List<Map<String, Object>> rows(Table table) throws Exception {
        return rows(table, QueryContext.all(table.schema()));
    }

    /** With {@code column = value} constraints, given as column, value pairs. */
    public static List<Map<String, Object>> rows(Table table, Object... columnValues) throws Exception {
        Map<String, List<Constraint>> cs = new LinkedHashMap<>();
        for (int i = 0; i < columnValues.length; i += 2) {
            cs.computeIfAbsent((String) columnValues[i], k -> new ArrayList<>())
                    .add(new Constraint(ConstraintOp.EQ, columnValues[i + 1]));
        }
        return rows(table, new QueryContext(table.schema(), cs, -1L));
    }

    public static List<Map<String, Object>> rows(Table table, QueryContext ctx) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        table.generate(ctx, () -> {
            Map<String, Object> row = new LinkedHashMap<>();
            for (var c : table.schema().columns()) row.put(c.name(), null); // unset columns are NULL
            out.add(row);
            return new RowSink.Row() {
                @Override
                public RowSink.Row set(String column, Object value) {
                    if (table.schema().indexOf(column) < 0) throw new AssertionError("no column " + column);
                    row.put(column, value);
                    return this;
                }
            };
        });
        return out;
    }
}
