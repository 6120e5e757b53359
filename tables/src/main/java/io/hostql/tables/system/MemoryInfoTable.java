package io.hostql.tables.system;

import io.hostql.os.sysfs.SysFiles;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Path;
import java.util.Map;

/** memory_info: /proc/meminfo in bytes. */
public final class MemoryInfoTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("memory_info", "Main memory information in bytes (Linux).")
            .bigint("memory_total").bigint("memory_free").bigint("memory_available").bigint("buffers").bigint("cached")
            .bigint("swap_cached").bigint("active").bigint("inactive").bigint("swap_total").bigint("swap_free")
            .build();

    private static final Map<String, String> FIELDS = Map.of("MemTotal", "memory_total", "MemFree", "memory_free",
            "MemAvailable", "memory_available", "Buffers", "buffers", "Cached", "cached", "SwapCached", "swap_cached",
            "Active", "active", "Inactive", "inactive", "SwapTotal", "swap_total", "SwapFree", "swap_free");

    private final Path meminfo;

    public MemoryInfoTable() {
        this(Path.of("/proc/meminfo"));
    }

    MemoryInfoTable(Path meminfo) {
        this.meminfo = meminfo;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        String text = SysFiles.readRaw(meminfo);
        RowSink.Row r = rows.add();
        if (text == null) return;
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) continue;
            String column = FIELDS.get(line.substring(0, colon));
            if (column == null) continue;
            String[] v = SysFiles.WS.split(line.substring(colon + 1).strip());
            try {
                long n = Long.parseLong(v[0]);
                // Values are in KiB ("kB") unless a unit-less count.
                r.set(column, v.length > 1 && v[1].equalsIgnoreCase("kB") ? n * 1024 : n);
            } catch (NumberFormatException e) {
                // leave the column NULL
            }
        }
    }
}
