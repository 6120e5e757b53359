package io.hostql.loggers;

import java.util.Map;

/**
 * The fields every result line carries besides its rows: the query's name, the host, when it ran,
 * the differential's epoch and counter, and the decorations (column to value, in order).
 */
public record QueryLogItem(String name, String hostIdentifier, long unixTime, long epoch, long counter,
        Map<String, String> decorations) {
    public QueryLogItem {
        decorations = decorations == null ? Map.of() : decorations;
    }
}
