package io.hostql.tables.network;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.HIDDEN;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** etc_hosts: line-parsed /etc/hosts. */
public final class EtcHostsTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("etc_hosts", "Line-parsed /etc/hosts.")
            .text("address").text("hostnames").integer("pid_with_namespace", ADDITIONAL, HIDDEN)
            .build();

    private final Path file;

    public EtcHostsTable() {
        this(Path.of("/etc/hosts"));
    }

    EtcHostsTable(Path file) {
        this.file = file;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return;
        }
        for (String line : text.split("\n")) {
            int hash = line.indexOf('#');
            String[] fields = (hash >= 0 ? line.substring(0, hash) : line).trim().split("\\s+");
            if (fields.length < 2) continue;
            rows.add().set("address", fields[0])
                    .set("hostnames", String.join(" ", java.util.Arrays.copyOfRange(fields, 1, fields.length)));
        }
    }
}
