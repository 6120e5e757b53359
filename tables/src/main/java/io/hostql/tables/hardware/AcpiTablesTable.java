package io.hostql.tables.hardware;

import io.hostql.os.sysfs.SysFiles;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * acpi_tables: the firmware's ACPI tables as the kernel exposes them in /sys/firmware/acpi/tables
 * (and its data/ and dynamic/ categories), with size and md5 of the bytes, as osquery. A table that
 * cannot be read (off root: the files are 0400) has size -1 and no md5, as in osquery.
 */
public final class AcpiTablesTable implements Table {
    static final Path ACPI_TABLES = Path.of("/sys/firmware/acpi/tables");

    private static final TableSchema SCHEMA = TableSchema.builder("acpi_tables", "Firmware ACPI functional table common metadata and content.")
            .text("name").integer("size").text("md5")
            .build();

    private final Path root;

    public AcpiTablesTable() {
        this(ACPI_TABLES);
    }

    AcpiTablesTable(Path root) {
        this.root = root;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        if (!Files.isDirectory(root)) return; // no ACPI: no rows
        generate(root, rows);
    }

    private static void generate(Path dir, RowSink rows) throws Exception {
        List<Path> entries;
        try (Stream<Path> s = Files.list(dir)) {
            entries = s.sorted().toList();
        } catch (IOException e) {
            return;
        }
        for (Path p : entries) {
            if (Files.isDirectory(p)) {
                generate(p, rows);
                continue;
            }
            RowSink.Row r = rows.add().set("name", p.getFileName().toString());
            byte[] content = SysFiles.readBytes(p);
            if (content == null) {
                r.set("size", -1L);
            } else {
                r.set("size", (long) content.length).set("md5", HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(content)));
            }
        }
    }
}
