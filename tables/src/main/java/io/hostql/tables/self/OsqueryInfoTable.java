package io.hostql.tables.self;

import io.hostql.config.Version;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;

/**
 * osquery_info: this agent's pid, identity, version and config state (osquery's name, so Fleet reads it).
 * version is the osquery release hostql matches (managers gate features on it); hostql's own version follows
 * osquery's columns as hostql_version.
 */
public final class OsqueryInfoTable implements Table {
    /** osquery's PlatformType bits: POSIX (0x01) | LINUX (0x08). */
    private static final int PLATFORM_MASK_LINUX = 9;

    private static final TableSchema SCHEMA = TableSchema.builder("osquery_info", "Top level information about the running agent.")
            .integer("pid").text("uuid").text("instance_id").text("version").text("config_hash")
            .integer("config_valid").text("extensions").text("build_platform").text("build_distro")
            .integer("start_time").integer("watcher").integer("platform_mask")
            .text("hostql_version")
            .build();

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        rows.add().set("pid", ProcessHandle.current().pid()).set("uuid", AgentInfo.hostUuid())
                .set("instance_id", AgentInfo.instanceId()).set("version", Version.OSQUERY_COMPATIBLE)
                .set("config_hash", AgentInfo.configHash()).set("config_valid", AgentInfo.configValid())
                .set("extensions", "inactive").set("build_platform", "linux").set("build_distro", "linux")
                .set("start_time", AgentInfo.startTime()).set("watcher", AgentInfo.watcherPid())
                .set("platform_mask", PLATFORM_MASK_LINUX).set("hostql_version", Version.VERSION);
    }
}
