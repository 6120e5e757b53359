package io.hostql.tables.packages;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.HIDDEN;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import io.hostql.tables.os.Dirs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * yum_sources: the repositories of /etc/yum.conf (every section but [main]) and of the *.repo
 * files in its reposdir (/etc/yum.repos.d unless [main] names others), as yum and dnf read them.
 * A host without yum or dnf has no rows.
 */
public final class YumSourcesTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("yum_sources", "Current list of Yum repositories or software channels.")
            .text("name").text("source").text("baseurl").text("mirrorlist").text("metalink").text("enabled")
            .text("gpgcheck").text("gpgkey").integer("pid_with_namespace", ADDITIONAL, HIDDEN)
            .build();

    private static final Set<String> KEYS = Set.of("name", "baseurl", "mirrorlist", "metalink", "enabled", "gpgcheck", "gpgkey");

    private final Path root;

    public YumSourcesTable() {
        this(Path.of("/"));
    }

    /** root: the file system root the paths are read under (tests). */
    YumSourcesTable(Path root) {
        this.root = root;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        Path conf = root.resolve("etc/yum.conf");
        Map<String, Map<String, String>> main = parse(conf);
        emit(conf, main, rows);
        String reposdir = main.getOrDefault("main", Map.of()).get("reposdir");
        List<String> dirs = new ArrayList<>();
        if (reposdir != null) {
            for (String d : reposdir.split("[,\\s]+")) if (d.startsWith("/")) dirs.add(d);
        }
        if (dirs.isEmpty()) dirs.add("/etc/yum.repos.d");
        for (String dir : dirs) {
            for (Path f : Dirs.regularFiles(root.resolve(dir.substring(1)))) {
                if (f.getFileName().toString().endsWith(".repo")) emit(f, parse(f), rows);
            }
        }
    }

    private static void emit(Path file, Map<String, Map<String, String>> sections, RowSink rows) {
        for (Map.Entry<String, Map<String, String>> s : sections.entrySet()) {
            if (s.getKey().equals("main")) continue;
            RowSink.Row r = rows.add().set("source", file.toString()).set("pid_with_namespace", 0);
            for (Map.Entry<String, String> kv : s.getValue().entrySet()) {
                if (KEYS.contains(kv.getKey())) r.set(kv.getKey(), kv.getValue());
            }
        }
    }

    /**
     * An INI file as yum reads it: [section] headers, key=value lines (trimmed), '#' and ';'
     * comments, and indented continuation lines that add a value to the key above (a list of
     * baseurls or gpgkeys), joined with a newline. A missing file has no sections.
     */
    static Map<String, Map<String, String>> parse(Path file) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException | java.io.UncheckedIOException e) {
            return out;
        }
        Map<String, String> section = null;
        String lastKey = null;
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) continue;
            if (line.startsWith("[") && line.endsWith("]")) {
                section = out.computeIfAbsent(line.substring(1, line.length() - 1).strip(), k -> new LinkedHashMap<>());
                lastKey = null;
                continue;
            }
            if (section == null) continue;
            int eq = line.indexOf('=');
            if (Character.isWhitespace(raw.charAt(0)) && lastKey != null) {
                section.merge(lastKey, line, (a, b) -> a + "\n" + b);
            } else if (eq > 0) {
                lastKey = line.substring(0, eq).strip();
                section.put(lastKey, line.substring(eq + 1).strip());
            }
        }
        return out;
    }
}
