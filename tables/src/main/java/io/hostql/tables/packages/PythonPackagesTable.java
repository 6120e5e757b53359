package io.hostql.tables.packages;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.HIDDEN;
import static io.hostql.sql.table.ColumnOption.INDEX;
import static io.hostql.sql.table.ColumnOption.OPTIMIZED;

import io.hostql.os.Libc;
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
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * python_packages: distributions (*.dist-info/METADATA, *.egg-info/PKG-INFO or a bare *.egg-info
 * file) in the system site directories (uid 0), and in the site directories of users' pyenv
 * versions and ~/.local (uid of that user; the querying user unless the query names uids).
 */
public final class PythonPackagesTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("python_packages", "Python packages installed in a system.")
            .text("name").bigint("uid", INDEX).text("version").text("summary").text("author").text("license")
            .text("path").text("directory", INDEX, OPTIMIZED).integer("pid_with_namespace", ADDITIONAL, HIDDEN)
            .build();

    static final List<String> SYSTEM_SITES = List.of(
            "/usr/local/lib/python%/dist-packages",
            "/usr/local/lib/python%/site-packages",
            "/usr/local/lib64/python%/site-packages",
            "/opt/homebrew/lib/python%/dist-packages",
            "/opt/homebrew/lib/python%/site-packages",
            "/usr/lib/python%/dist-packages",
            "/usr/lib/python%/site-packages");

    private final List<String> systemSites;
    private final LongFunction<List<Passwd.User>> usersByUid;

    public PythonPackagesTable() {
        this(SYSTEM_SITES, uid -> Passwd.systemOrEmpty().allByUid(uid));
    }

    PythonPackagesTable(List<String> systemSites, LongFunction<List<Passwd.User>> usersByUid) {
        this.systemSites = systemSites;
        this.usersByUid = usersByUid;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        Set<String> dirs = ctx.equalsText("directory");
        if (!dirs.isEmpty()) {
            for (String d : dirs) site(d, 0, rows);
            return;
        }
        Set<String> sites = new LinkedHashSet<>();
        for (String pattern : systemSites) sites.addAll(FilePatterns.directories(pattern));
        for (String s : sites) site(s, 0, rows);

        Set<Long> uids = ctx.equalsLong("uid");
        if (uids.isEmpty()) uids = Set.of((long) Libc.geteuid());
        Set<String> homesDone = new LinkedHashSet<>();
        for (long uid : uids) {
            for (Passwd.User u : usersByUid.apply(uid)) {
                if (u.directory().isEmpty() || !homesDone.add(u.uid() + ":" + u.directory())) continue;
                for (String s : userSites(u.directory())) site(s, u.uid(), rows);
            }
        }
    }

    /** pyenv's versions (not the symlinked aliases) and the user site of each Python. */
    static List<String> userSites(String home) {
        List<String> out = new ArrayList<>();
        Path versions = Path.of(home, ".pyenv", "versions");
        for (Path v : Dirs.sorted(versions)) {
            if (!Files.isDirectory(v, LinkOption.NOFOLLOW_LINKS)) continue; // an alias symlink
            out.addAll(FilePatterns.directories(v + "/lib/python%/site-packages"));
        }
        out.addAll(FilePatterns.directories(home + "/.local/lib/python%/site-packages"));
        return out;
    }

    private static void site(String site, long uid, RowSink rows) {
        for (Path p : Dirs.sorted(Path.of(site))) {
            String n = p.getFileName().toString();
            if (!n.endsWith(".dist-info") && !n.endsWith(".egg-info")) continue;
            Path meta;
            if (Files.isDirectory(p)) {
                meta = p.resolve(p.getFileName().toString().endsWith(".dist-info") ? "METADATA" : "PKG-INFO");
            } else if (Files.isRegularFile(p) && p.getFileName().toString().endsWith(".egg-info")) {
                meta = p; // setuptools' single-file egg-info holds PKG-INFO itself
            } else {
                continue;
            }
            Metadata m = Metadata.read(meta);
            rows.add().set("name", m.name).set("uid", uid).set("version", m.version).set("summary", m.summary)
                    .set("author", m.author).set("license", m.license).set("path", p.toString())
                    .set("directory", site).set("pid_with_namespace", 0);
        }
    }

    /** The core metadata header fields (RFC 822 style, up to the first blank line). */
    static final class Metadata {
        String name;
        String version;
        String summary;
        String author;
        String license;

        static Metadata read(Path file) {
            Metadata m = new Metadata();
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                return m;
            }
            String licenseExpression = null;
            for (String raw : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
                String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
                if (line.isEmpty()) break; // the description body follows
                if (line.charAt(0) == ' ' || line.charAt(0) == '\t') continue;
                int colon = line.indexOf(':');
                if (colon <= 0) continue;
                String key = line.substring(0, colon);
                String value = line.substring(colon + 1).trim();
                switch (key) {
                    case "Name" -> m.name = first(m.name, value);
                    case "Version" -> m.version = first(m.version, value);
                    case "Summary" -> m.summary = first(m.summary, value);
                    case "Author" -> m.author = first(m.author, value);
                    case "License" -> m.license = first(m.license, value);
                    case "License-Expression" -> licenseExpression = first(licenseExpression, value);
                    default -> { }
                }
            }
            if (m.license == null) m.license = licenseExpression;
            return m;
        }

        private static String first(String old, String value) {
            return old != null ? old : value;
        }
    }
}
