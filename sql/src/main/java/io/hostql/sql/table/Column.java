package io.hostql.sql.table;

import java.util.EnumSet;
import java.util.Set;

/**
 * A table column. {@code otherPlatform} names the platform ("windows", "darwin") of a column that osquery's
 * table generator adds from another platform's extended_schema: hidden on Linux and always NULL; null for
 * a Linux column.
 */
public record Column(String name, ColumnType type, Set<ColumnOption> options, String otherPlatform) {
    public Column {
        options = options.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(options));
        if (otherPlatform != null && !options.contains(ColumnOption.HIDDEN)) {
            throw new IllegalArgumentException("column " + name + " of another platform (" + otherPlatform + ") must be hidden");
        }
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
