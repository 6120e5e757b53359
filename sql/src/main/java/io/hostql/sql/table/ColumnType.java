package io.hostql.sql.table;

/** osquery's column types; {@link #sqlType()} is what PRAGMA table_info shows, as in osquery. */
public enum ColumnType {
    TEXT("TEXT"), INTEGER("INTEGER"), BIGINT("BIGINT"), UNSIGNED_BIGINT("UNSIGNED BIGINT"), DOUBLE("DOUBLE"),
    BLOB("BLOB");

    private final String sqlType;

    ColumnType(String sqlType) {
        this.sqlType = sqlType;
    }

    public String sqlType() {
        return sqlType;
    }
}
