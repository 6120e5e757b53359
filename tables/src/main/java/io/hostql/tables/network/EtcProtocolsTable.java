package io.hostql.tables.network;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** etc_protocols: line-parsed /etc/protocols ({@code name number [aliases...] [# comment]}). */
public final class EtcProtocolsTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("etc_protocols",
                    "Line-parsed /etc/protocols.")
            .text("name").integer("number").text("alias").text("comment")
            .build();

    private final Path file;

    public EtcProtocolsTable() {
        this(Path.of("/etc/protocols"));
    }

    EtcProtocolsTable(Path file) {
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
            return; // no netbase: nothing to list
        }
        for (String line : text.split("\n")) {
            EtcServicesTable.Line l = EtcServicesTable.Line.of(line);
            if (l == null || l.fields().length < 2) continue;
            long number;
            try {
                number = Long.parseLong(l.fields()[1]);
            } catch (NumberFormatException e) {
                continue;
            }
            // osquery reports only the first alias.
            rows.add().set("name", l.fields()[0]).set("number", number)
                    .set("alias", l.fields().length > 2 ? l.fields()[2] : null).set("comment", l.comment());
        }
    }
}
