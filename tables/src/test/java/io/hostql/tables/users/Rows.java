package io.hostql.tables.users;

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

/** Runs a table's generator directly, with optional {@code column = value} constraints; text bytes become Strings. */
final class Rows {
    private Rows() {}

    static List<Map<String, Object>> of(Table t, Object... columnValuePairs) throws Exception {
        Map<String, List<Constraint>> cons = new LinkedHashMap<>();
        for (int i = 0; i < columnValuePairs.length; i += 2) {
            cons.computeIfAbsent((String) columnValuePairs[i], k -> new ArrayList<>())
                    .add(new Constraint(ConstraintOp.EQ, columnValuePairs[i + 1]));
        }
        List<Map<String, Object>> out = new ArrayList<>();
        t.generate(new QueryContext(t.schema(), cons, -1L), () -> {
            Map<String, Object> row = new LinkedHashMap<>();
            out.add(row);
            return new RowSink.Row() {
                public RowSink.Row set(String c, Object v) {
                    if (t.schema().indexOf(c) < 0) throw new AssertionError("no column " + c + " in " + t.schema().name());
                    if (v instanceof byte[] b) v = new String(b, StandardCharsets.UTF_8);
                    if (v instanceof Integer n) v = n.longValue();
                    row.put(c, v);
                    return this;
                }
            };
        });
        return out;
    }
}
