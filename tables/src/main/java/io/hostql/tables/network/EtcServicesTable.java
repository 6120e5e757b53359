package io.hostql.tables.network;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** etc_services: line-parsed /etc/services ({@code name port/protocol [aliases...] [# comment]}). */
public final class EtcServicesTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("etc_services",
                    "Line-parsed /etc/services.")
            .text("name").integer("port").text("protocol").text("aliases").text("comment")
            .build();

    private final Path file;

    public EtcServicesTable() {
        this(Path.of("/etc/services"));
    }

    EtcServicesTable(Path file) {
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
            Line l = Line.of(line);
            if (l == null || l.fields().length < 2) continue;
            String[] fields = l.fields();
            int slash = fields[1].indexOf('/');
            if (slash <= 0 || slash == fields[1].length() - 1 || fields[1].indexOf('/', slash + 1) >= 0) continue;
            long port;
            try {
                port = Long.parseLong(fields[1].substring(0, slash));
            } catch (NumberFormatException e) {
                continue;
            }
            rows.add().set("name", fields[0]).set("port", port).set("protocol", fields[1].substring(slash + 1))
                    .set("aliases", String.join(" ", java.util.Arrays.copyOfRange(fields, 2, fields.length)))
                    .set("comment", l.comment());
        }
    }

    /** One line of a netbase-style file: whitespace-separated fields before '#', and the comment after. */
    record Line(String[] fields, String comment) {
        private static final java.util.regex.Pattern WS = java.util.regex.Pattern.compile("[ \t\r\f\u000b]+");

        /** null for blank and comment-only lines. The comment's '#'-separated parts are trimmed and joined by " # ", as osquery does. */
        static Line of(String line) {
            int hash = line.indexOf('#');
            String data = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (data.isEmpty()) return null;
            String comment = null;
            if (hash >= 0) {
                StringBuilder sb = new StringBuilder();
                for (String part : line.substring(hash + 1).split("#")) {
                    String p = part.strip();
                    if (p.isEmpty()) continue;
                    if (sb.length() > 0) sb.append(" # ");
                    sb.append(p);
                }
                if (sb.length() > 0) comment = sb.toString();
            }
            return new Line(WS.split(data), comment);
        }
    }
}
