package io.hostql.sql.sqlite;

/** The system SQLite is missing or too old; the message says how to install it. */
public final class SqliteUnavailableException extends RuntimeException {
    public SqliteUnavailableException(String message) {
        super(message);
    }
}
