package io.hostql.daemon.schedule;

import io.hostql.config.osquery.ScheduledQuery;

/**
 * A query of the current config that applies to this host, with its splayed interval and plan. It is due at each
 * Unix second that is a multiple of its splayed interval, as in osquery's scheduler.
 */
record ActiveQuery(ScheduledQuery query, String name, long interval, long splayed, QueryEngine.Plan plan, String packName) {
    boolean dueAt(long second) {
        return second % splayed == 0;
    }

    /** The first second after {@code second} at which it is due. */
    long dueAfter(long second) {
        return (second / splayed + 1) * splayed;
    }
}
