package io.hostql.sql.table;

/** Column options, as in osquery's table specs. */
public enum ColumnOption {
    /** Constraints on it are pushed down to the generator. */
    INDEX,
    /** The table cannot be scanned unless one of its required columns is constrained. */
    REQUIRED,
    /** An input the generator understands, pushed down, but not needed. */
    ADDITIONAL,
    /** Not returned by SELECT *; only when named. */
    HIDDEN,
    /** osquery's hint that the column is cheap to filter on; pushed down like INDEX. */
    OPTIMIZED
}
