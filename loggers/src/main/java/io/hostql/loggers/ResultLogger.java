package io.hostql.loggers;

import java.util.List;

/**
 * Where result lines go (osquery's logger plugin). Lines are complete JSON documents without a
 * newline. Implementations are thread-safe; a failure to deliver throws, so the caller can keep
 * the lines and retry rather than lose them.
 */
public interface ResultLogger extends AutoCloseable {
    /** Differential (and event) result lines. */
    void logResults(List<String> lines);

    /** Snapshot lines ({@code "action":"snapshot"}). */
    void logSnapshots(List<String> lines);

    @Override
    void close();
}
