package io.hostql.tables.addons;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.OPTIMIZED;

import com.fasterxml.jackson.databind.JsonNode;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import io.hostql.tables.users.HomeUsers;
import io.hostql.tables.users.Passwd;
import java.nio.file.Path;
import java.util.List;

/**
 * vscode_extensions: the extensions VS Code records in EDITION_DIR/extensions/extensions.json for
 * every user (~/.vscode, ~/.vscode-insiders and their -server directories), one row per entry
 * with an identifier, metadata and location object, as osquery reads them.
 */
public final class VscodeExtensionsTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("vscode_extensions", "Lists all vscode extensions.")
            .text("name").text("uuid").text("version").text("path").text("publisher").text("publisher_id")
            .bigint("installed_at").integer("prerelease").bigint("uid", ADDITIONAL, OPTIMIZED).text("vscode_edition")
            .build();

    /** The configuration directory under the home and its edition, in osquery's (sorted) order. */
    static final List<String[]> EDITIONS = List.of(
            new String[] {".vscode", "vscode"},
            new String[] {".vscode-insiders", "vscode_insiders"},
            new String[] {".vscode-server", "vscode"},
            new String[] {".vscode-server-insiders", "vscode_insiders"});

    private final Path passwdFile;

    public VscodeExtensionsTable() {
        this(null);
    }

    /** passwdFile: users (and homes) read instead of /etc/passwd (tests). */
    VscodeExtensionsTable(Path passwdFile) {
        this.passwdFile = passwdFile;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        for (Passwd.User u : HomeUsers.of(ctx, passwdFile)) {
            for (String[] edition : EDITIONS) {
                Path f = HomeUsers.file(u, edition[0] + "/extensions/extensions.json");
                if (f == null) continue;
                JsonNode doc = Json.parse(UserFiles.read(u, f));
                if (doc == null || !doc.isArray()) continue;
                for (JsonNode ext : doc) {
                    JsonNode id = ext.get("identifier");
                    JsonNode meta = ext.get("metadata");
                    JsonNode location = ext.get("location");
                    if (id == null || meta == null || location == null || !id.isObject() || !meta.isObject() || !location.isObject()) {
                        continue;
                    }
                    JsonNode installed = meta.get("installedTimestamp");
                    JsonNode pre = meta.get("isPreReleaseVersion");
                    rows.add().set("uid", u.uid()).set("vscode_edition", edition[1]).set("name", string(id.get("id")))
                            .set("uuid", string(id.get("uuid"))).set("version", string(ext.get("version")))
                            .set("path", string(location.get("path"))).set("publisher", string(meta.get("publisherDisplayName")))
                            .set("publisher_id", string(meta.get("publisherId")))
                            .set("installed_at", installed != null && installed.canConvertToLong() && installed.isIntegralNumber()
                                    ? installed.asLong() : null)
                            .set("prerelease", pre != null && pre.isBoolean() ? (pre.booleanValue() ? 1 : 0) : null);
                }
            }
        }
    }

    private static String string(JsonNode n) {
        return n != null && n.isTextual() ? n.asText() : null;
    }
}
