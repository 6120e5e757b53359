package io.hostql.tables.self;

import java.util.List;

/**
 * What hostqld knows of itself and the osquery_schedule, osquery_packs and osquery_events tables show. The
 * shell has no daemon of its own: there the tables exist and are empty ({@link #NONE}), as in osqueryi.
 */
public interface DaemonState {
    /** A row of osquery_schedule; pack is the pack the query came from ("" for the top-level schedule). */
    record QueryStatus(String name, String sql, long interval, long executions, long lastExecuted, boolean denylisted,
            long outputSize, long wallTimeMs, long lastWallTimeMs, long userTimeMs, long lastUserTimeMs, long systemTimeMs,
            long lastSystemTimeMs, long averageMemory, long lastMemory, String pack) {}

    /** A row of osquery_packs. */
    record PackStatus(String name, String platform, String version, int shard, long discoveryCacheHits,
            long discoveryExecutions, boolean active) {}

    /** A row of osquery_events: one publisher or subscriber; losses are the events the source reported lost. */
    record EventSource(String name, String publisher, String type, long subscriptions, long events, long refreshes, boolean active,
            long losses) {}

    /**
     * The journal's head (index of its last record, and that record's capture time in seconds) and each subscriber's
     * lag behind it, for {@code hostqlctl status}; null where there is no journal (the shell).
     */
    record JournalState(long headIndex, long headTime, List<SubscriberLag> subscribers) {}

    /** A subscriber's stored journal position, the records after it, and how much older (capture time) it is than the head. */
    record SubscriberLag(String name, long index, long records, long seconds) {}

    List<QueryStatus> schedule();

    List<PackStatus> packs();

    List<EventSource> eventSources();

    default JournalState journal() {
        return null;
    }

    DaemonState NONE = new DaemonState() {
        @Override
        public List<QueryStatus> schedule() {
            return List.of();
        }

        @Override
        public List<PackStatus> packs() {
            return List.of();
        }

        @Override
        public List<EventSource> eventSources() {
            return List.of();
        }
    };
}
