package io.hostql.tables.system;

import io.hostql.os.sysfs.SysFiles;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** kernel_info: the running kernel's release (/proc/version) and boot arguments (/proc/cmdline). */
public final class KernelInfoTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("kernel_info", "Basic active kernel information.")
            .text("version").text("arguments").text("path").text("device")
            .build();

    private final Path proc;

    public KernelInfoTable() {
        this(Path.of("/proc"));
    }

    KernelInfoTable(Path proc) {
        this.proc = proc;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        RowSink.Row r = rows.add();
        String cmdline = SysFiles.readRaw(proc.resolve("cmdline"));
        if (cmdline != null) {
            // osquery keeps every argument but BOOT_IMAGE= (the path) and root= (the device).
            List<String> rest = new ArrayList<>();
            for (String arg : cmdline.strip().split(" ")) {
                if (arg.isBlank()) continue;
                arg = arg.strip();
                if (arg.startsWith("BOOT_IMAGE=")) r.set("path", arg.substring(11));
                else if (arg.startsWith("root=")) r.set("device", arg.substring(5));
                else rest.add(arg);
            }
            r.set("arguments", String.join(" ", rest));
        }
        String version = SysFiles.read(proc.resolve("version"));
        if (version != null) {
            String[] f = version.split(" ");
            if (f.length > 2 && f[1].equals("version")) r.set("version", f[2]);
        }
    }
}
