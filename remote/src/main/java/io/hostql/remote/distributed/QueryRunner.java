package io.hostql.remote.distributed;

import io.hostql.sql.QueryResult;

/**
 * The engine distributed queries run on, separate from the scheduler's (the daemon builds it: every
 * table, every retained row of the evented tables, under the watchdog's limits). A batch is one
 * check-in's queries, on one connection that sees events.db as it is when the batch starts.
 */
public interface QueryRunner {
    Batch batch();

    interface Batch extends AutoCloseable {
        /** Runs one statement; a failure is an Outcome too, never an exception. */
        Outcome run(String sql);

        @Override
        void close();
    }

    /**
     * One query's result as osquery reports it: rows (null when it failed), a SQLite-style status (0 ok),
     * the error message, its cost for {@code stats}, and whether the watchdog stopped it (then denylisted).
     */
    record Outcome(QueryResult result, int status, String message, Cost cost, boolean stoppedByWatchdog) {
        public static Outcome ok(QueryResult result, Cost cost) {
            return new Outcome(result, 0, "", cost, false);
        }

        public static Outcome failed(int status, String message, Cost cost, boolean stoppedByWatchdog) {
            return new Outcome(null, status == 0 ? 1 : status, message, cost, stoppedByWatchdog);
        }

        public boolean succeeded() {
            return status == 0;
        }
    }

    /** osquery's performance stats of one run: wall and CPU milliseconds, bytes of memory gained. */
    record Cost(long wallTimeMs, long userTimeMs, long systemTimeMs, long memoryBytes) {
        public static final Cost NONE = new Cost(0, 0, 0, 0);
    }
}
