package io.hostql.tables.system;

import io.hostql.os.sysfs.SysFiles;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Path;

/**
 * memory_map: the physical memory regions of /proc/iomem, "start-end : name" per line, the start and
 * end as "0x" and the kernel's hex digits. osquery reads the same file; its parser garbles the nested
 * (indented) lines and keeps a trailing blank in end, which hostql does not copy: every line is a row,
 * nested ones included. Unprivileged readers see zero addresses, as the kernel shows them.
 */
public final class MemoryMapTable implements Table {
    static final Path PROC_IOMEM = Path.of("/proc/iomem");

    private static final TableSchema SCHEMA = TableSchema.builder("memory_map", "OS memory region map.")
            .text("name").text("start").text("end")
            .build();

    private final Path source;

    public MemoryMapTable() {
        this(PROC_IOMEM);
    }

    MemoryMapTable(Path source) {
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
            String l = line.strip();
            int dash = l.indexOf('-');
            int colon = l.indexOf(" : ");
            if (dash <= 0 || colon < dash) continue;
            rows.add().set("name", l.substring(colon + 3)).set("start", "0x" + l.substring(0, dash))
                    .set("end", "0x" + l.substring(dash + 1, colon));
        }
    }
}
