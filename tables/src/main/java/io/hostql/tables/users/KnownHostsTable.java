package io.hostql.tables.users;

import static io.hostql.sql.table.ColumnOption.INDEX;
import static io.hostql.sql.table.ColumnOption.OPTIMIZED;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * known_hosts: each line of each user's ~/.ssh/known_hosts, trimmed, as osquery gives it (hashed
 * host names, markers such as @cert-authority and comments after the key are kept as they are);
 * blank lines and '#' comments are left out.
 */
public final class KnownHostsTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("known_hosts", "A line-delimited known_hosts table.")
            .bigint("uid", INDEX, OPTIMIZED).text("key").text("key_file")
            .build();

    private final Path passwdFile;

    public KnownHostsTable() {
        this(null);
    }

    /** passwdFile: users (and homes) read instead of /etc/passwd (tests). */
    KnownHostsTable(Path passwdFile) {
        this.passwdFile = passwdFile;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        HomeUsers.eachFile(ctx, passwdFile, HomeUsers.READ_MAX, (u, f, content) -> {
            for (String raw : new String(content, StandardCharsets.UTF_8).split("\n")) {
                String line = raw.strip();
                if (line.isEmpty() || line.charAt(0) == '#') continue;
                rows.add().set("uid", u.uid()).set("key", line).set("key_file", f.toString());
            }
        }, ".ssh/known_hosts");
    }
}
