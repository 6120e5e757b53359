package io.hostql.tables.security;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * kernel_keys: the keys and keyrings this process may view, from /proc/keys
 * ({@code serial flags usage timeout perm uid gid type description: summary}). As osquery, the
 * line is split on blanks and the description is the rest of the line with its blanks removed
 * (osquery joins the two last fields, ".blacklist: empty" gives ".blacklist:empty"); osquery drops a
 * line whose description holds more blanks, hostql keeps it, joined the same way.
 */
public final class KernelKeysTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("kernel_keys",
                    "List of security data, authentication keys and encryption keys.")
            .text("serial_number").text("flags").bigint("usage").text("timeout").text("permissions").bigint("uid")
            .bigint("gid").text("type").text("description")
            .build();

    private final Path procKeys;

    public KernelKeysTable() {
        this(Path.of("/proc/keys"));
    }

    /** procKeys: read instead of /proc/keys (tests). */
    KernelKeysTable(Path procKeys) {
        this.procKeys = procKeys;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        String content;
        try {
            content = new String(Files.readAllBytes(procKeys), StandardCharsets.UTF_8);
        } catch (IOException | SecurityException e) {
            return; // no keyrings support (CONFIG_KEYS off) or no /proc: no rows
        }
        for (String line : content.split("\n")) {
            String[] f = line.trim().split("[ \t]+");
            if (f.length < 10) continue; // malformed
            StringBuilder description = new StringBuilder();
            for (int i = 8; i < f.length; i++) description.append(f[i]);
            rows.add().set("serial_number", f[0]).set("flags", f[1]).set("usage", number(f[2])).set("timeout", f[3])
                    .set("permissions", f[4]).set("uid", number(f[5])).set("gid", number(f[6])).set("type", f[7])
                    .set("description", description.toString());
        }
    }

    private static Long number(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
