package io.hostql.evented;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.HIDDEN;

import io.hostql.sql.table.TableSchema;
import java.util.List;

/**
 * The evented tables' schemas, in osquery's column order. They are real SQLite tables, so a column
 * osquery hides (eid) is visible in SELECT * here: SQLite only hides columns of virtual tables.
 */
public final class EventedTables {
    private EventedTables() {}

    public static final TableSchema FILE_EVENTS = TableSchema.builder("file_events",
                    "Track time/action changes to files specified in configuration data.")
            .text("target_path").text("category").text("action").bigint("transaction_id").bigint("inode")
            .bigint("uid").bigint("gid").text("mode").bigint("size").bigint("atime").bigint("mtime").bigint("ctime")
            .text("md5").text("sha1").text("sha256").integer("hashed").bigint("time", ADDITIONAL).text("eid", HIDDEN)
            .build();

    /**
     * osquery's columns, then hostql's: the device's sysfs path and subsystem, the kernel's SEQNUM, and
     * synthetic = 1 for an addition or removal reconstructed from /sys after uevents were lost.
     */
    public static final TableSchema HARDWARE_EVENTS = TableSchema.builder("hardware_events", "Hardware (PCI/USB/HID) events from UDEV or IOKit.")
            .text("action").text("path").text("type").text("driver").text("vendor").text("vendor_id").text("model").text("model_id")
            .text("serial").text("revision").bigint("time", ADDITIONAL).text("eid", HIDDEN)
            .text("devpath").text("subsystem").bigint("seqnum").integer("synthetic")
            .build();

    /** hostql's own: every gap any event source reported (kernel overflow, audit lost, ENOBUFS, journal damage). */
    public static final TableSchema EVENT_LOSSES = TableSchema.builder("hostql_event_losses",
                    "Events lost by a publisher or the journal, as reported by the kernel or found by hostql.")
            .bigint("time", ADDITIONAL).text("source").bigint("count").text("reason").bigint("capture_time_ns")
            .text("eid", HIDDEN)
            .build();

    public static List<TableSchema> all() {
        return List.of(FILE_EVENTS, HARDWARE_EVENTS, EVENT_LOSSES);
    }
}
