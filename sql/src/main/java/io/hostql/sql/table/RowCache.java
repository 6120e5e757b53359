package io.hostql.sql.table;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Rows generated once and shared by the statements run on one thread inside a scope: the
 * scheduler opens one per tick, so 25 queries over {@code processes} in the same second read
 * /proc once. Keyed by table, the columns used and the pushed-down constraints, so a statement
 * only ever gets the rows it would have generated itself. Outside a scope nothing is cached.
 */
public final class RowCache {
    private static final ThreadLocal<Map<String, List<Object[]>>> SCOPE = new ThreadLocal<>();

    private RowCache() {}

    /** Opens a scope on this thread; closing it drops every cached row. */
    public static Scope open() {
        SCOPE.set(new HashMap<>());
        return new Scope();
    }

    public static final class Scope implements AutoCloseable {
        private Scope() {}

        @Override
        public void close() {
            SCOPE.remove();
        }
    }

    /** The cached rows for the key, or what generate makes (cached when a scope is open and the table shareable). */
    public static List<Object[]> rows(Table table, String key, Supplier<List<Object[]>> generate) {
        Map<String, List<Object[]>> scope = SCOPE.get();
        if (scope == null || !table.shareable()) return generate.get();
        String k = table.schema().name() + "|" + key;
        List<Object[]> rows = scope.get(k);
        if (rows == null) {
            rows = generate.get();
            scope.put(k, rows);
        }
        return rows;
    }
}
