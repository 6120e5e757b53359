package io.hostql.tables.system;

import static io.hostql.sql.table.ColumnType.TEXT;
import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.INDEX;

import io.hostql.os.sysfs.SysFiles;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * system_controls: every sysctl under /proc/sys, named as osquery names them ('/' becomes '.'), with the
 * value the sysctl.d configuration would set. {@code name = x} reads one file; {@code subsystem = x}
 * walks one subtree.
 */
public final class SystemControlsTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("system_controls", "sysctl names, values, and settings information.")
            .text("name", INDEX).text("oid", ADDITIONAL).text("subsystem", ADDITIONAL).text("current_value")
            .text("config_value").text("type")
            .otherPlatform("darwin", TEXT, "field_name")
            .build();

    /** sysctl.d(5) directories, highest priority first: a file name found earlier masks the same name later. */
    private static final List<Path> CONFIG_DIRS = List.of(Path.of("/etc/sysctl.d"), Path.of("/run/sysctl.d"),
            Path.of("/usr/local/lib/sysctl.d"), Path.of("/usr/lib/sysctl.d"), Path.of("/lib/sysctl.d"));

    private final Path procSys;
    private final List<Path> configDirs;
    private final Path sysctlConf;

    public SystemControlsTable() {
        this(Path.of("/proc/sys"), CONFIG_DIRS, Path.of("/etc/sysctl.conf"));
    }

    SystemControlsTable(Path procSys, List<Path> configDirs, Path sysctlConf) {
        this.procSys = procSys;
        this.configDirs = configDirs;
        this.sysctlConf = sysctlConf;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws IOException {
        Config config = ctx.isUsed("config_value") ? loadConfig() : Config.EMPTY;
        boolean values = ctx.isUsed("current_value");
        Set<String> names = ctx.equalsText("name");
        if (!names.isEmpty()) {
            for (String name : names) {
                Path file = pathOf(name);
                if (file == null) continue;
                if (Files.isRegularFile(file)) {
                    emit(file, name, config, values, rows);
                } else {
                    // a component holding a dot (net.ipv4.conf.eth0.100.forwarding): find it level by level
                    List<Path> found = new ArrayList<>();
                    search(procSys, name, found);
                    for (Path f : found) emit(f, name, config, values, rows);
                }
            }
            return;
        }
        if (!ctx.equalsText("oid").isEmpty()) return; // Linux sysctls have no numeric OID
        Set<String> subsystems = ctx.equalsText("subsystem");
        List<Path> roots = new ArrayList<>();
        if (subsystems.isEmpty()) {
            roots.add(procSys);
        } else {
            for (String s : subsystems) {
                if (!s.isEmpty() && s.indexOf('/') < 0 && !s.equals(".") && !s.equals("..")) roots.add(procSys.resolve(s));
            }
        }
        for (Path root : roots) walk(root, config, values, rows);
    }

    private void walk(Path dir, Config config, boolean values, RowSink rows) {
        List<Path> dirs = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) dirs.add(p);
                else files.add(p);
            }
        } catch (IOException | SecurityException e) {
            return; // a subtree that vanished (an interface going away) or that we may not list
        }
        dirs.sort(null);
        files.sort(null);
        for (Path d : dirs) walk(d, config, values, rows);
        for (Path f : files) emit(f, nameOf(f), config, values, rows);
    }

    private void emit(Path file, String name, Config config, boolean values, RowSink rows) {
        int dot = name.indexOf('.');
        RowSink.Row r = rows.add().set("name", name).set("subsystem", dot < 0 ? name : name.substring(0, dot))
                .set("config_value", config.valueOf(procSys.relativize(file).toString())).set("type", "string");
        if (values) {
            // write-only controls (vm.compact_memory, net.ipv4.route.flush) have no current value
            byte[] value = SysFiles.readBytes(file);
            if (value != null) r.set("current_value", new String(value, StandardCharsets.UTF_8).strip());
        }
    }

    /** Files under dir whose dotted name relative to dir is rest. */
    private static void search(Path dir, String rest, List<Path> found) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String entry = p.getFileName().toString();
                if (rest.equals(entry)) {
                    if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) found.add(p);
                } else if (rest.startsWith(entry + ".") && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    search(p, rest.substring(entry.length() + 1), found);
                }
            }
        } catch (IOException | SecurityException e) {
            // vanished or unlistable: nothing there
        }
    }

    private String nameOf(Path file) {
        return procSys.relativize(file).toString().replace('/', '.');
    }

    /** The file of a dotted name, or null when the name could escape /proc/sys. */
    private Path pathOf(String name) {
        if (name.isEmpty() || name.indexOf('/') >= 0) return null;
        for (String part : name.split("\\.", -1)) if (part.isEmpty()) return null;
        return procSys.resolve(name.replace('.', '/'));
    }

    /** The values the sysctl.d configuration assigns, by path under /proc/sys, later assignments winning. */
    record Config(Map<String, Integer> exactIndex, List<String> values, List<Pattern> globs, List<Integer> globIndex) {
        static final Config EMPTY = new Config(Map.of(), List.of(), List.of(), List.of());

        /** path: relative to /proc/sys with '/' separators, so a glob's '*' can match "eth0.100". */
        String valueOf(String path) {
            int best = exactIndex.getOrDefault(path, -1);
            for (int i = globs.size() - 1; i >= 0 && globIndex.get(i) > best; i--) {
                if (globs.get(i).matcher(path).matches()) best = globIndex.get(i);
            }
            return best < 0 ? null : values.get(best);
        }
    }

    /** Files in name order across the sysctl.d directories (as systemd-sysctl applies them), then /etc/sysctl.conf. */
    Config loadConfig() {
        Map<String, Path> byName = new TreeMap<>();
        for (Path dir : configDirs) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.conf")) {
                for (Path p : ds) byName.putIfAbsent(p.getFileName().toString(), p);
            } catch (IOException | SecurityException e) {
                // a missing directory is normal
            }
        }
        List<Path> files = new ArrayList<>(byName.values());
        if (sysctlConf != null) files.add(sysctlConf);
        Map<String, Integer> exact = new HashMap<>();
        List<String> values = new ArrayList<>();
        List<Pattern> globs = new ArrayList<>();
        List<Integer> globIndex = new ArrayList<>();
        for (Path f : files) {
            String text;
            try {
                text = Files.readString(f, StandardCharsets.UTF_8);
            } catch (IOException | SecurityException | java.io.UncheckedIOException e) {
                continue;
            }
            for (String line : text.split("\n")) {
                line = line.strip();
                if (line.isEmpty() || line.charAt(0) == '#' || line.charAt(0) == ';' || line.charAt(0) == '!') continue;
                int eq = line.indexOf('=');
                if (eq < 0) continue;
                String key = line.substring(0, eq).strip();
                if (key.startsWith("-")) key = key.substring(1).strip(); // "-key": ignore failures when applying
                if (key.isEmpty()) continue;
                key = toPath(key);
                values.add(line.substring(eq + 1).strip());
                int index = values.size() - 1;
                if (key.indexOf('*') >= 0 || key.indexOf('?') >= 0 || key.indexOf('[') >= 0) {
                    globs.add(glob(key));
                    globIndex.add(index);
                } else {
                    exact.put(key, index);
                }
            }
        }
        return new Config(exact, values, globs, globIndex);
    }

    /**
     * sysctl.d(5) keys use '.' or '/' as the separator, whichever comes first; with '.', a '/' stands for a
     * dot inside a component (net.ipv4.conf.eth0/100.rp_filter). Returns the path form.
     */
    static String toPath(String key) {
        int dot = key.indexOf('.'), slash = key.indexOf('/');
        if (slash >= 0 && (dot < 0 || slash < dot)) return key;
        StringBuilder sb = new StringBuilder(key.length());
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            sb.append(c == '.' ? '/' : c == '/' ? '.' : c);
        }
        return sb.toString();
    }

    /** fnmatch-style pattern over the path form; '*' does not cross a '/' level, as in systemd-sysctl. */
    static Pattern glob(String key) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            switch (c) {
                case '*' -> re.append("[^/]*");
                case '?' -> re.append("[^/]");
                case '[' -> {
                    int close = key.indexOf(']', i + 1);
                    if (close < 0) {
                        re.append("\\[");
                    } else {
                        String set = key.substring(i + 1, close);
                        if (set.startsWith("!")) set = "^" + set.substring(1);
                        re.append('[').append(set.replace("\\", "\\\\")).append(']');
                        i = close;
                    }
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }
}
