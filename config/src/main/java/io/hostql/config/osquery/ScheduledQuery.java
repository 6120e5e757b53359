package io.hostql.config.osquery;

/**
 * One query of the schedule (pack "main") or of a pack. {@code interval} 0 means
 * {@code schedule_default_interval}; {@code shard} 0 means none; {@code platform} and {@code version}
 * empty mean any. {@code where} is the "file:line" it was read from, for problems found later (an
 * unknown table at --config_check).
 */
public record ScheduledQuery(String pack, String queryName, String sql, long interval, boolean snapshot, boolean removed,
        String platform, String version, int shard, boolean denylist, String where) {
    /** What results are logged under: the plain name in the schedule, {@code pack<d><pack><d><query>} in a pack. */
    public String name(String delimiter) {
        return Pack.MAIN.equals(pack) ? queryName : "pack" + delimiter + pack + delimiter + queryName;
    }
}
