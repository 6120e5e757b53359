package io.hostql.sql.table;

/** osquery's column types; {@link #sqlType()} is what PRAGMA table_info shows, as in osquery. */
public enum ColumnType {
    TEXT("TEXT"), INTEGER("INTEGER"), BIGINT("BIGINT"), UNSIGNED_BIGINT("UNSIGNED BIGINT"), DOUBLE("DOUBLE"),
    BLOB("BLOB"),
    /** osquery's DATETIME: declared as such (PRAGMA table_info shows it), the values are integers (epoch seconds). */
    DATETIME("DATETIME");

    private final String sqlType;

    ColumnType(String sqlType) {
        this.sqlType = sqlType;
    }

    public String sqlType() {
        return sqlType;
    }
}
