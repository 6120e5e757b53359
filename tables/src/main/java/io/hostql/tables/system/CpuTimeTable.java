package io.hostql.tables.system;

import io.hostql.os.sysfs.SysFiles;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Path;

/**
 * cpu_time: the per-core lines of /proc/stat ("cpuN user nice system idle iowait irq softirq steal
 * guest guest_nice", in USER_HZ ticks), as osquery: the all-cores "cpu" line is left out, and counters
 * an older kernel lacks are 0.
 */
public final class CpuTimeTable implements Table {
    static final Path PROC_STAT = Path.of("/proc/stat");
    private static final String[] COUNTERS = {"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal", "guest", "guest_nice"};

    private static final TableSchema SCHEMA = TableSchema.builder("cpu_time", "Displays information from /proc/stat file about the time the cpu cores spent in different parts of the system.")
            .integer("core").bigint("user").bigint("nice").bigint("system").bigint("idle").bigint("iowait")
            .bigint("irq").bigint("softirq").bigint("steal").bigint("guest").bigint("guest_nice")
            .build();

    private final Path source;

    public CpuTimeTable() {
        this(PROC_STAT);
    }

    CpuTimeTable(Path source) {
        this.source = source;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        String text = SysFiles.readRaw(source);
        if (text == null) return;
        for (String line : text.split("\n")) {
            if (!line.startsWith("cpu") || line.startsWith("cpu ")) continue;
            String[] f = SysFiles.WS.split(line.strip());
            if (f.length < 8 || f[0].length() <= 3) continue; // osquery needs the first seven counters
            RowSink.Row row = rows.add().set("core", Long.parseLong(f[0].substring(3)));
            for (int i = 0; i < COUNTERS.length; i++) row.set(COUNTERS[i], i + 1 < f.length ? Long.parseUnsignedLong(f[i + 1]) : 0L);
        }
    }
}
