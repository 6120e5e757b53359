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

    /**
     * What the column answers in a row whose generator did not set it: NULL, except another platform's TEXT
     * column, which reads as "" as in osquery (whose missing text cells are empty strings). Fleet's Linux users
     * query filters on {@code type <> 'special'}, which a NULL would make drop every row.
     */
    public Object unsetValue() {
        return otherPlatform != null && type == ColumnType.TEXT ? "" : null;
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
