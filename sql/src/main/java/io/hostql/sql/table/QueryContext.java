package io.hostql.sql.table;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What a query asks of a table: the pushed-down constraints per column, and which columns it reads. */
public final class QueryContext {
    private final TableSchema schema;
    private final Map<String, List<Constraint>> constraints;
    private final long colUsed;

    public QueryContext(TableSchema schema, Map<String, List<Constraint>> constraints, long colUsed) {
        this.schema = schema;
        this.constraints = constraints;
        this.colUsed = colUsed;
    }

    /** No constraints, every column used: what {@code SELECT * FROM t} asks. */
    public static QueryContext all(TableSchema schema) {
        return new QueryContext(schema, Map.of(), -1L);
    }

    public List<Constraint> constraints(String column) {
        requireColumn(column);
        return constraints.getOrDefault(column, List.of());
    }

    public boolean hasConstraint(String column) {
        return !constraints(column).isEmpty();
    }

    /** Values from {@code column = x} and {@code column IN (...)}, as text, in query order. */
    public Set<String> equalsText(String column) {
        Set<String> out = new LinkedHashSet<>();
        for (Constraint c : constraints(column)) if (c.op() == ConstraintOp.EQ && c.value() != null) out.add(c.text());
        return out;
    }

    /** Values from {@code column = n} and {@code column IN (...)} that are integers. */
    public Set<Long> equalsLong(String column) {
        Set<Long> out = new LinkedHashSet<>();
        for (Constraint c : constraints(column)) {
            if (c.op() == ConstraintOp.EQ && c.asLong() != null) out.add(c.asLong());
        }
        return out;
    }

    /** Patterns from {@code column LIKE x}. */
    public List<String> likeText(String column) {
        List<String> out = new ArrayList<>();
        for (Constraint c : constraints(column)) if (c.op() == ConstraintOp.LIKE && c.value() != null) out.add(c.text());
        return Collections.unmodifiableList(out);
    }

    /** Whether the query reads this column; generators skip costly columns nobody asked for. */
    public boolean isUsed(String column) {
        int i = requireColumn(column);
        long bit = i >= 63 ? 1L << 63 : 1L << i;
        return (colUsed & bit) != 0;
    }

    public TableSchema schema() {
        return schema;
    }

    private int requireColumn(String column) {
        int i = schema.indexOf(column);
        if (i < 0) throw new IllegalArgumentException("table " + schema.name() + " has no column " + column);
        return i;
    }

    @Override
    public String toString() {
        return schema.name() + constraints;
    }
}
