package io.hostql.tables.packages;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.HIDDEN;
import static io.hostql.sql.table.ColumnOption.INDEX;
import static io.hostql.sql.table.ColumnOption.OPTIMIZED;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import io.hostql.tables.files.FilePatterns;
import io.hostql.tables.os.Dirs;
import io.hostql.tables.users.Passwd;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * npm_packages: package.json of every package under the global node_modules of the usual prefixes
 * (/usr/lib, /usr/local/lib, users' ~/.npm-global/lib and nvm versions), nested node_modules
 * included down to max_depth (100 unless the query sets it; -1 for no limit).
 */
public final class NpmPackagesTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("npm_packages", "Node packages installed in a system.")
            .text("name").text("version").text("description").text("author").text("license").text("homepage")
            .text("path").text("directory", INDEX, OPTIMIZED).integer("depth").integer("max_depth", ADDITIONAL, HIDDEN)
            .integer("pid_with_namespace", ADDITIONAL, HIDDEN).text("mount_namespace_id", HIDDEN)
            .build();

    static final int DEFAULT_MAX_DEPTH = 100;
    /** Built on first use: an ObjectMapper costs every shell start-up otherwise. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    private final Supplier<List<String>> sites;

    public NpmPackagesTable() {
        this(NpmPackagesTable::defaultSites);
    }

    NpmPackagesTable(Supplier<List<String>> sites) {
        this.sites = sites;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    /** osquery's prefixes, plus the same per-user prefixes under every home directory in passwd. */
    static List<String> defaultSites() {
        Set<String> patterns = new LinkedHashSet<>(List.of("/usr/local/lib", "/opt/homebrew/lib", "/usr/lib",
                "/home/%/.npm-global/lib", "/home/%/.nvm/versions/node/%/lib"));
        for (Passwd.User u : Passwd.systemOrEmpty().users()) {
            String home = u.directory();
            if (home.isEmpty() || home.equals("/") || FilePatterns.hasWildcard(home.getBytes(StandardCharsets.UTF_8))) continue;
            patterns.add(home + "/.npm-global/lib");
            patterns.add(home + "/.nvm/versions/node/%/lib");
        }
        Set<String> out = new LinkedHashSet<>();
        for (String p : patterns) out.addAll(FilePatterns.directories(p));
        return new ArrayList<>(out);
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        int maxDepth = DEFAULT_MAX_DEPTH;
        Set<Long> md = ctx.equalsLong("max_depth");
        if (!md.isEmpty()) maxDepth = md.iterator().next().intValue();
        Set<String> dirs = ctx.equalsText("directory");
        List<String> roots = dirs.isEmpty() ? sites.get() : new ArrayList<>(dirs);
        for (String site : roots) walk(site, maxDepth, rows);
    }

    private record Pending(Path dir, int depth) {}

    private static void walk(String site, int maxDepth, RowSink rows) {
        Deque<Pending> todo = new ArrayDeque<>();
        Set<Object> visited = new HashSet<>();
        todo.push(new Pending(Path.of(site), 0));
        while (!todo.isEmpty()) {
            Pending cur = todo.pop();
            Object key = fileKey(cur.dir());
            if (key != null && !visited.add(key)) continue; // a symlink loop, or a package linked twice
            for (Path manifest : manifests(cur.dir().resolve("node_modules"))) {
                RowSink.Row r = rows.add();
                fill(manifest, r);
                r.set("directory", site).set("path", manifest.toString()).set("depth", cur.depth())
                        .set("max_depth", maxDepth).set("pid_with_namespace", 0);
                if (maxDepth == -1 || cur.depth() < maxDepth) {
                    Path pkg = manifest.getParent();
                    if (Files.isDirectory(pkg.resolve("node_modules"))) todo.push(new Pending(pkg, cur.depth() + 1));
                }
            }
        }
    }

    private static Object fileKey(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /** node_modules/NAME/package.json, then node_modules/@SCOPE/NAME/package.json. */
    private static List<Path> manifests(Path nodeModules) {
        List<Path> direct = new ArrayList<>();
        List<Path> scoped = new ArrayList<>();
        for (Path p : Dirs.sorted(nodeModules)) {
            String n = p.getFileName().toString();
            Path m = p.resolve("package.json");
            if (Files.isRegularFile(m)) direct.add(m);
            if (n.startsWith("@") && Files.isDirectory(p)) {
                for (Path q : Dirs.sorted(p)) {
                    Path sm = q.resolve("package.json");
                    if (Files.isRegularFile(sm)) scoped.add(sm);
                }
            }
        }
        direct.addAll(scoped);
        return direct;
    }

    /** The manifest's fields as osquery reads them; an unreadable or malformed one leaves them NULL. */
    static void fill(Path manifest, RowSink.Row r) {
        JsonNode doc;
        try {
            doc = Json.MAPPER.readTree(Files.readAllBytes(manifest));
        } catch (IOException e) {
            return;
        }
        if (doc == null || !doc.isObject()) return;
        for (String key : new String[] {"name", "version", "description", "homepage"}) {
            JsonNode v = doc.get(key);
            if (v != null) r.set(key, v.isTextual() ? v.asText() : "");
        }
        JsonNode author = doc.get("author");
        if (author != null) {
            if (author.isTextual()) r.set("author", author.asText());
            else if (author.isObject() && author.has("name")) {
                r.set("author", author.get("name").isTextual() ? author.get("name").asText() : "");
            }
        }
        JsonNode license = doc.get("license");
        if (license != null) {
            if (license.isTextual()) r.set("license", license.asText());
            else if (license.isObject()) {
                // the deprecated {type, url} form: osquery shows the url
                JsonNode v = license.has("url") ? license.get("url") : license.get("type");
                if (v != null && v.isTextual()) r.set("license", v.asText());
            }
        }
    }
}
