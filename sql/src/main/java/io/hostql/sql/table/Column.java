package io.hostql.sql.table;

import java.util.EnumSet;
import java.util.Set;

public record Column(String name, ColumnType type, Set<ColumnOption> options) {
    public Column {
        options = options.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(options));
    }

    public boolean required() {
        return options.contains(ColumnOption.REQUIRED);
    }

    public boolean hidden() {
        return options.contains(ColumnOption.HIDDEN);
    }

    /** Whether constraints on this column reach the generator. */
    public boolean pushedDown() {
        return !options.isEmpty() && (required() || options.contains(ColumnOption.INDEX)
                || options.contains(ColumnOption.ADDITIONAL) || options.contains(ColumnOption.OPTIMIZED)
                || hidden());
    }
}
