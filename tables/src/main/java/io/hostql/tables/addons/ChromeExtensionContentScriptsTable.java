package io.hostql.tables.addons;

import static io.hostql.sql.table.ColumnOption.INDEX;
import static io.hostql.sql.table.ColumnOption.OPTIMIZED;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Path;

/**
 * chrome_extension_content_scripts: one row per (match pattern, script) of each extension's
 * manifest content_scripts, for the extensions chrome_extensions shows. identifier is the
 * browser's id of the extension (osquery reads a setting that never exists there and leaves it
 * empty): the key-computed id, else the id the profile's preferences use.
 */
public final class ChromeExtensionContentScriptsTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("chrome_extension_content_scripts", "Chrome browser extension content scripts.")
            .text("browser_type").bigint("uid", INDEX, OPTIMIZED).text("identifier").text("version").text("script")
            .text("match").text("profile_path").text("path").bigint("referenced")
            .build();

    private final Path passwdFile;

    public ChromeExtensionContentScriptsTable() {
        this(null);
    }

    /** passwdFile: users (and homes) read instead of /etc/passwd (tests). */
    ChromeExtensionContentScriptsTable(Path passwdFile) {
        this.passwdFile = passwdFile;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        for (ChromeProfiles.Extension x : ChromeProfiles.extensions(ctx, passwdFile)) {
            String id = x.computedId() != null ? x.computedId() : x.setting("referenced_identifier");
            for (String[] ms : x.contentScripts()) {
                rows.add().set("browser_type", x.profile().browserType()).set("uid", x.profile().uid())
                        .set("profile_path", x.profile().path()).set("version", x.property("version", ""))
                        .set("path", x.path()).set("referenced", x.referenced() ? 1 : 0).set("identifier", id)
                        .set("match", ms[0]).set("script", ms[1]);
            }
        }
    }
}
