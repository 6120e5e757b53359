package io.hostql.tables.self;

import io.hostql.config.Version;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;

/** osquery_info: this agent's pid, identity, version and config state (osquery's name, so Fleet reads it). */
public final class OsqueryInfoTable implements Table {
    /** osquery's PlatformType bits: POSIX (0x01) | LINUX (0x08). */
    private static final int PLATFORM_MASK_LINUX = 9;

    private static final TableSchema SCHEMA = TableSchema.builder("osquery_info", "Top level information about the running agent.")
            .integer("pid").text("uuid").text("instance_id").text("version").text("config_hash")
            .integer("config_valid").text("extensions").text("build_platform").text("build_distro")
            .integer("start_time").integer("watcher").integer("platform_mask")
            .build();

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        rows.add().set("pid", ProcessHandle.current().pid()).set("uuid", AgentInfo.hostUuid())
                .set("instance_id", AgentInfo.instanceId()).set("version", Version.VERSION)
                .set("config_hash", AgentInfo.configHash()).set("config_valid", AgentInfo.configValid())
                .set("extensions", "inactive").set("build_platform", "linux").set("build_distro", "linux")
                .set("start_time", AgentInfo.startTime()).set("watcher", AgentInfo.watcherPid())
                .set("platform_mask", PLATFORM_MASK_LINUX);
    }
}
