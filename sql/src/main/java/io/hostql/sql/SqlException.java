package io.hostql.sql;

/** A query that SQLite or hostql refused; the message is meant for the user as it is. */
public class SqlException extends RuntimeException {
    public SqlException(String message) {
        super(message);
    }
}
