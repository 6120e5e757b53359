package io.hostql.daemon.schedule;

import io.hostql.config.osquery.ScheduledQuery;

/** A query of the current config that applies to this host, with its splayed interval and plan. */
record ActiveQuery(ScheduledQuery query, String name, long interval, long splayed, QueryEngine.Plan plan, String packName) {}
