package io.hostql.tables.users;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.OPTIMIZED;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * ssh_configs: the options of each user's ~/.ssh/config and of /etc/ssh/ssh_config (uid 0), one row
 * per option line with the Host or Match line it falls under ("" before the first). As osquery,
 * lines are trimmed and lower-cased (values too), comments and blank lines left out, and Include
 * is an option like the others (the included files are not read).
 */
public final class SshConfigsTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("ssh_configs",
                    "A table of parsed ssh_configs.")
            .bigint("uid", ADDITIONAL, OPTIMIZED).text("block").text("option").text("ssh_config_file")
            .build();

    static final Path SYSTEM_CONFIG = Path.of("/etc/ssh/ssh_config");
    /** Config files are small; bigger ones are not read. */
    static final long MAX_CONFIG = 1 << 20;

    private final Path passwdFile;
    private final Path systemConfig;

    public SshConfigsTable() {
        this(null, SYSTEM_CONFIG);
    }

    /** passwdFile: users (and homes) read instead of /etc/passwd; systemConfig: instead of /etc/ssh/ssh_config (tests). */
    SshConfigsTable(Path passwdFile, Path systemConfig) {
        this.passwdFile = passwdFile;
        this.systemConfig = systemConfig;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        HomeUsers.eachFile(ctx, passwdFile, MAX_CONFIG, (u, f, content) -> emit(rows, u.uid(), f, content), ".ssh/config");
        byte[] system = readSystem();
        if (system != null) emit(rows, 0, systemConfig, system);
    }

    private byte[] readSystem() {
        try {
            if (!Files.isRegularFile(systemConfig) || Files.size(systemConfig) > MAX_CONFIG) return null;
            return Files.readAllBytes(systemConfig);
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    private static void emit(RowSink rows, long uid, Path file, byte[] content) {
        String block = "";
        for (String raw : new String(content, StandardCharsets.UTF_8).split("\n")) {
            String line = raw.strip().toLowerCase(Locale.ROOT);
            if (line.isEmpty() || line.charAt(0) == '#') continue;
            if (line.startsWith("host ") || line.startsWith("match ")) {
                block = line;
                continue;
            }
            rows.add().set("uid", uid).set("block", block).set("option", line).set("ssh_config_file", file.toString());
        }
    }
}
