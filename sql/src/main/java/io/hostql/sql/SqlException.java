package io.hostql.sql;

/** A query that SQLite or hostql refused; the message is meant for the user as it is. */
public class SqlException extends RuntimeException {
    /** SQLITE_CORRUPT and SQLITE_NOTADB, the primary result codes of a damaged database file. */
    private static final int CORRUPT = 11, NOTADB = 26;

    private final int code;

    public SqlException(String message) {
        this(message, 0);
    }

    /** With SQLite's (extended) result code; 0 when hostql refused the statement itself. */
    public SqlException(String message, int code) {
        super(message);
        this.code = code;
    }

    /** SQLite's extended result code, or 0 when the error is hostql's own. */
    public int code() {
        return code;
    }

    /** Whether SQLite found the database file damaged (SQLITE_CORRUPT or SQLITE_NOTADB, any extended variant). */
    public boolean isCorruption() {
        int primary = code & 0xff;
        return primary == CORRUPT || primary == NOTADB;
    }
}
