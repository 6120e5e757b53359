package io.hostql.sql.table;

/** Where a generator puts its rows. */
public interface RowSink {
    /** Starts a new row; unset columns are NULL. */
    Row add();

    /** A row under construction. Values: String, byte[] (text bytes, e.g. non-UTF-8 paths), Long, Integer, Double, Boolean (0/1), {@link Blob}, null. */
    interface Row {
        Row set(String column, Object value);
    }
}
