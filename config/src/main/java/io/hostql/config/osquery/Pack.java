package io.hostql.config.osquery;

import java.util.List;

/**
 * A pack: queries that run only where its discovery queries each return a row and its platform,
 * version and shard apply. The config's {@code schedule} is the pack named "main".
 */
public record Pack(String name, List<String> discovery, String platform, String version, int shard,
        List<ScheduledQuery> queries, String where) {
    public static final String MAIN = "main";

    public Pack {
        discovery = List.copyOf(discovery);
        queries = List.copyOf(queries);
    }
}
