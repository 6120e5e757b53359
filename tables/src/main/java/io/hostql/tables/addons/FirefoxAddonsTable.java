package io.hostql.tables.addons;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.INDEX;
import static io.hostql.sql.table.ColumnOption.OPTIMIZED;

import com.fasterxml.jackson.databind.JsonNode;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import io.hostql.tables.os.Dirs;
import io.hostql.tables.users.HomeUsers;
import io.hostql.tables.users.Passwd;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * firefox_addons: the add-ons of every user's Firefox profiles, from each profile's
 * extensions.json. The profiles are the directories of ~/.mozilla/firefox (as osquery lists them)
 * and those profiles.ini names elsewhere (Path= with IsRelative=0).
 */
public final class FirefoxAddonsTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("firefox_addons", "Firefox browser extensions, webapps, and addons.")
            .bigint("uid", ADDITIONAL, OPTIMIZED).text("name").text("identifier", INDEX).text("creator").text("type")
            .text("version").text("description").text("source_url").integer("visible").integer("active")
            .integer("disabled").integer("autoupdate").text("location").text("path")
            .build();

    private final Path passwdFile;

    public FirefoxAddonsTable() {
        this(null);
    }

    /** passwdFile: users (and homes) read instead of /etc/passwd (tests). */
    FirefoxAddonsTable(Path passwdFile) {
        this.passwdFile = passwdFile;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        for (Passwd.User u : HomeUsers.of(ctx, passwdFile)) {
            Path base = HomeUsers.file(u, ".mozilla/firefox");
            if (base == null) continue;
            for (Path profile : profiles(u, base)) {
                JsonNode doc = Json.parse(UserFiles.read(u, profile.resolve("extensions.json")));
                if (doc == null) continue;
                for (JsonNode addon : doc.path("addons")) {
                    JsonNode locale = addon.path("defaultLocale");
                    boolean disabled = isTrue(addon.get("softDisable")) || isTrue(addon.get("appDisabled"))
                            || isTrue(addon.get("userDisabled"));
                    rows.add().set("uid", u.uid()).set("name", text(locale.get("name"))).set("identifier", text(addon.get("id")))
                            .set("creator", text(locale.get("creator"))).set("type", text(addon.get("type")))
                            .set("version", text(addon.get("version"))).set("description", text(locale.get("description")))
                            .set("source_url", text(addon.get("sourceURI"))).set("visible", flag(addon.get("visible")))
                            .set("active", flag(addon.get("active"))).set("disabled", disabled ? 1 : 0)
                            .set("autoupdate", flag(addon.get("applyBackgroundUpdates")))
                            .set("location", text(addon.get("location"))).set("path", text(addon.get("path")));
                }
            }
        }
    }

    /** The profile directories: every directory under the base, then profiles.ini's others. */
    static Set<Path> profiles(Passwd.User u, Path base) {
        Set<Path> out = new LinkedHashSet<>();
        for (Path p : Dirs.sorted(base)) if (Files.isDirectory(p)) out.add(UserFiles.canonical(p));
        byte[] ini = UserFiles.read(u, base.resolve("profiles.ini"));
        if (ini == null) return out;
        String path = null;
        boolean relative = true;
        for (String raw : (new String(ini, StandardCharsets.UTF_8) + "\n[end]").split("\n")) {
            String line = raw.strip();
            if (line.startsWith("[")) {
                if (path != null) {
                    try {
                        Path p = relative ? base.resolve(path) : Path.of(path);
                        if (Files.isDirectory(p)) out.add(UserFiles.canonical(p));
                    } catch (InvalidPathException e) {
                        // a Path= no file system can hold
                    }
                }
                path = null;
                relative = true;
            } else if (line.startsWith("Path=")) {
                path = line.substring(5);
            } else if (line.equals("IsRelative=0")) {
                relative = false;
            }
        }
        return out;
    }

    private static String text(JsonNode n) {
        String s = Json.scalar(n);
        return s == null ? "" : s;
    }

    private static boolean isTrue(JsonNode n) {
        return n != null && n.isBoolean() && n.booleanValue();
    }

    /** osquery's bool-as-int: true 1, false 0, a number as itself; null when absent. */
    private static Long flag(JsonNode n) {
        if (n == null || n.isNull()) return null;
        if (n.isBoolean()) return n.booleanValue() ? 1L : 0L;
        if (n.canConvertToLong()) return n.asLong();
        return null;
    }
}
