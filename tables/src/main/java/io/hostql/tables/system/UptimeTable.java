package io.hostql.tables.system;

import io.hostql.os.sysfs.SysFiles;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Path;

/** uptime: time since boot, from /proc/uptime (CLOCK_BOOTTIME, so suspend counts, as with sysinfo(2)). */
public final class UptimeTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("uptime", "Track time passed since last boot. Some systems track this as calendar time, some as runtime.")
            .integer("days").integer("hours").integer("minutes").integer("seconds").bigint("total_seconds")
            .build();

    private final Path uptime;

    public UptimeTable() {
        this(Path.of("/proc/uptime"));
    }

    UptimeTable(Path uptime) {
        this.uptime = uptime;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        String text = SysFiles.read(uptime);
        if (text == null) return;
        long s;
        try {
            s = (long) Double.parseDouble(SysFiles.WS.split(text)[0]);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(uptime + ": not an uptime: " + text);
        }
        rows.add().set("days", s / 86400).set("hours", (s / 3600) % 24).set("minutes", (s / 60) % 60)
                .set("seconds", s % 60).set("total_seconds", s);
    }
}
