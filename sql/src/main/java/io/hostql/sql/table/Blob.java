package io.hostql.sql.table;

/** A BLOB value; a plain byte[] means text bytes. */
public record Blob(byte[] bytes) {}
