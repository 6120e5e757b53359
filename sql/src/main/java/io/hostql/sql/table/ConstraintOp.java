package io.hostql.sql.table;

/** SQLite's SQLITE_INDEX_CONSTRAINT_* operators that hostql pushes down. IN arrives as EQ with several values. */
public enum ConstraintOp {
    EQ(2), GT(4), LE(8), LT(16), GE(32), LIKE(65), GLOB(66);

    public final int code;

    ConstraintOp(int code) {
        this.code = code;
    }

    public static ConstraintOp of(int code) {
        for (ConstraintOp op : values()) if (op.code == code) return op;
        return null;
    }
}
