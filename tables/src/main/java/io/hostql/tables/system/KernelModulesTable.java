package io.hostql.tables.system;

import io.hostql.os.sysfs.SysFiles;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Path;

/** kernel_modules: loaded modules from /proc/modules (empty on a kernel built without module support). */
public final class KernelModulesTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("kernel_modules", "Linux kernel modules both loaded and within the load search path.")
            .text("name").bigint("size").text("used_by").text("status").text("address")
            .build();

    private final Path modules;

    public KernelModulesTable() {
        this(Path.of("/proc/modules"));
    }

    KernelModulesTable(Path modules) {
        this.modules = modules;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        String text = SysFiles.readRaw(modules);
        if (text == null) return;
        // name size refcount used_by state address [taint]; used_by is "-" or "a,b," with a trailing comma.
        for (String line : text.split("\n")) {
            String[] f = SysFiles.WS.split(line.strip());
            if (f.length < 6) continue;
            long size;
            try {
                size = Long.parseLong(f[1]);
            } catch (NumberFormatException e) {
                continue;
            }
            String usedBy = f[3].endsWith(",") ? f[3].substring(0, f[3].length() - 1) : f[3];
            rows.add().set("name", f[0]).set("size", size).set("used_by", usedBy).set("status", f[4]).set("address", f[5]);
        }
    }
}
