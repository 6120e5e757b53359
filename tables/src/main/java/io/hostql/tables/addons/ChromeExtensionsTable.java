package io.hostql.tables.addons;

import static io.hostql.sql.table.ColumnOption.HIDDEN;
import static io.hostql.sql.table.ColumnOption.INDEX;
import static io.hostql.sql.table.ColumnOption.OPTIMIZED;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Path;

/**
 * chrome_extensions: the extensions of every user's Chromium-based browser profiles (see
 * {@link ChromeProfiles}), with the manifest's fields (localized), the profile's settings, and the
 * identifier computed from the manifest key ("" without one, as in osquery; referenced_identifier
 * is the id the browser uses). locale is osquery's deprecated alias of default_locale.
 */
public final class ChromeExtensionsTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("chrome_extensions", "Chrome-based browser extensions.")
            .text("browser_type").bigint("uid", INDEX, OPTIMIZED).text("name").text("profile").text("profile_path")
            .text("referenced_identifier").text("identifier").text("version").text("description").text("default_locale")
            .text("current_locale").text("update_url").text("author").integer("persistent").text("path")
            .text("permissions").text("permissions_json", HIDDEN).text("optional_permissions")
            .text("optional_permissions_json", HIDDEN).text("manifest_hash").bigint("referenced").text("from_webstore")
            .text("state").text("install_time").bigint("install_timestamp").text("manifest_json", HIDDEN)
            .text("key", HIDDEN)
            .text("locale", HIDDEN)
            .build();

    /** Microseconds from 1601-01-01 (WebKit/Windows time) to the Unix epoch, in seconds. */
    static final long WEBKIT_EPOCH_OFFSET = 11_644_473_600L;

    private final Path passwdFile;

    public ChromeExtensionsTable() {
        this(null);
    }

    /** passwdFile: users (and homes) read instead of /etc/passwd (tests, the benchmark's generated homes). */
    public ChromeExtensionsTable(Path passwdFile) {
        this.passwdFile = passwdFile;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        for (ChromeProfiles.Extension x : ChromeProfiles.extensions(ctx, passwdFile)) {
            String installTime = x.setting("install_time");
            String defaultLocale = x.property("default_locale", "");
            rows.add().set("browser_type", x.profile().browserType()).set("uid", x.profile().uid())
                    .set("profile", x.profile().name()).set("profile_path", x.profile().path())
                    .set("name", x.property("name", "")).set("version", x.property("version", ""))
                    .set("author", x.property("author", "")).set("manifest_json", x.manifestJson())
                    .set("update_url", x.property("update_url", "")).set("default_locale", defaultLocale)
                    .set("current_locale", x.property("current_locale", ""))
                    .set("permissions", x.property("permissions", ""))
                    .set("permissions_json", x.property("permissions_json", "{}"))
                    .set("optional_permissions", x.property("optional_permissions", ""))
                    .set("optional_permissions_json", x.property("optional_permissions_json", "{}"))
                    .set("persistent", x.property("persistent", "").equalsIgnoreCase("true") ? 1 : 0)
                    .set("description", x.property("description", "")).set("path", x.path())
                    .set("manifest_hash", x.manifestHash()).set("referenced", x.referenced() ? 1 : 0)
                    .set("state", x.setting("state")).set("from_webstore", x.setting("from_webstore"))
                    .set("install_time", installTime).set("install_timestamp", unixTime(installTime))
                    .set("referenced_identifier", x.setting("referenced_identifier"))
                    .set("identifier", x.computedId() == null ? "" : x.computedId())
                    .set("key", x.property("key", "")).set("locale", defaultLocale);
        }
    }

    /** A WebKit timestamp (microseconds since 1601) in Unix seconds; 0 when absent, not a number or before 1970. */
    static long unixTime(String webkit) {
        try {
            long t = Long.parseLong(webkit) / 1_000_000L - WEBKIT_EPOCH_OFFSET;
            return t < 0 ? 0 : t;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
