package io.hostql.daemon.schedule;

/** One scheduled query's counters since the daemon started, as osquery_schedule reports them. */
final class QueryStats {
    long executions, lastExecuted, outputSize, wallTimeMs, lastWallTimeMs, userTimeMs, lastUserTimeMs, systemTimeMs,
            lastSystemTimeMs, totalMemory, lastMemory;
    int consecutiveFailures;
    String lastError = "";

    long averageMemory() {
        return executions == 0 ? 0 : totalMemory / executions;
    }
}
