package io.hostql.alerts;

/** A named SQL WHERE predicate over one evented table; each matching new row is an alert. */
public record AlertRule(String name, String table, String where) {}
