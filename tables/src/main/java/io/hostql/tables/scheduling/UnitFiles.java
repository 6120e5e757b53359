package io.hostql.tables.scheduling;

import io.hostql.tables.os.Dirs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * systemd's unit files as systemctl list-unit-files sees them, read from the unit search path
 * without asking systemd: which file defines each unit, its [Unit]/[Service] settings (drop-ins
 * applied) and its enablement state (enabled, static, disabled, masked, alias, ...).
 */
final class UnitFiles {
    static final Set<String> SUFFIXES = Set.of(".service", ".socket", ".device", ".mount", ".automount", ".swap",
            ".target", ".path", ".timer", ".slice", ".scope");

    /** One unit file. */
    static final class Unit {
        String id;
        Path path;               // where the name was found (may be a symlink)
        Path fragment;           // the file that defines it (symlinks resolved), or null when masked
        String state;            // list-unit-files' state
        String description;
        String user;
        String sourcePath;
        String exec;             // [Service] ExecStart=, the first one
        boolean hasInstall;
        boolean hasAlso;
        List<String> aliases = new ArrayList<>();
    }

    private final Path root;
    private final List<String> searchPath;
    private final List<String> configDirs;

    /** The system manager's search path, in systemd's order of precedence. */
    static final List<String> SYSTEM_SEARCH_PATH = List.of(
            "/etc/systemd/system.control", "/run/systemd/system.control", "/run/systemd/transient",
            "/run/systemd/generator.early", "/etc/systemd/system", "/etc/systemd/system.attached",
            "/run/systemd/system", "/run/systemd/system.attached", "/run/systemd/generator",
            "/usr/local/lib/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system",
            "/run/systemd/generator.late");

    /** Where enablement symlinks live (systemctl enable writes to /etc, --runtime to /run). */
    static final List<String> CONFIG_DIRS = List.of("/etc/systemd/system.control", "/run/systemd/system.control",
            "/etc/systemd/system", "/run/systemd/system");

    UnitFiles() {
        this(Path.of("/"));
    }

    /** A tree rooted elsewhere (tests): every path above is taken below root. */
    UnitFiles(Path root) {
        this.root = root;
        this.searchPath = SYSTEM_SEARCH_PATH;
        this.configDirs = CONFIG_DIRS;
    }

    private Path at(String absolute) {
        return root.resolve(absolute.substring(1));
    }

    /** NAME.d directories of the search path, in its order (listed once, not probed per unit). */
    private final List<Path> dropInDirs = new ArrayList<>();

    /** Every unit file by name, each found in the first search directory that has it. */
    Map<String, Unit> all() {
        dropInDirs.clear();
        Map<String, Unit> units = new LinkedHashMap<>();
        Set<Path> seenDirs = new HashSet<>();
        List<Path> dirs = new ArrayList<>();
        for (String d : searchPath) {
            Path p = at(d);
            Path real;
            try {
                real = p.toRealPath();
            } catch (IOException e) {
                continue;
            }
            if (seenDirs.add(real)) dirs.add(p);
        }
        for (Path dir : dirs) {
            for (Path e : Dirs.sorted(dir)) {
                String name = e.getFileName().toString();
                if (name.endsWith(".d")) dropInDirs.add(e);
                if (!isUnitName(name) || units.containsKey(name)) continue;
                if (Files.isDirectory(e)) continue;
                Unit u = new Unit();
                u.id = name;
                u.path = e;
                units.put(name, u);
            }
        }
        Set<String> enabled = enabledTargets();
        for (Unit u : units.values()) resolve(u, dirs, enabled);
        return units;
    }

    static boolean isUnitName(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 && SUFFIXES.contains(name.substring(dot));
    }

    private void resolve(Unit u, List<Path> dirs, Set<String> enabled) {
        Path p = u.path;
        boolean runtime = p.startsWith(at("/run"));
        if (Files.isSymbolicLink(p)) {
            Path target;
            try {
                target = Files.readSymbolicLink(p);
            } catch (IOException e) {
                target = null;
            }
            if (target != null && (target.toString().equals("/dev/null") || isDevNull(p))) {
                u.state = runtime ? "masked-runtime" : "masked";
                return;
            }
            Path real = follow(p);
            if (real == null) {
                u.state = "bad";
                return;
            }
            u.fragment = real;
            String targetName = real.getFileName().toString();
            if (!targetName.equals(u.id)) {
                u.state = "alias";
            } else if (!inSearchPath(real, dirs)) {
                u.state = runtime ? "linked-runtime" : "linked";
            }
        } else {
            u.fragment = p;
        }
        parse(u);
        if (u.state != null) return;
        String dir = "/" + root.relativize(p.getParent());
        if (dir.startsWith("/run/systemd/generator")) {
            u.state = "generated";
        } else if (dir.equals("/run/systemd/transient")) {
            u.state = "transient";
        } else if (enabled.contains(u.id)) {
            u.state = enabledIn(u.id);
        } else if (u.hasInstall) {
            u.state = "disabled";
        } else if (u.hasAlso) {
            u.state = "indirect";
        } else {
            u.state = "static";
        }
    }

    private String enabledIn(String id) {
        return runtimeOnly.contains(id) ? "enabled-runtime" : "enabled";
    }

    private final Set<String> runtimeOnly = new HashSet<>();

    /** The file a symlink chain ends at, directories left as written (systemd reports /lib paths, not /usr/lib). */
    private Path follow(Path p) {
        Path cur = p;
        for (int i = 0; i < 32 && Files.isSymbolicLink(cur); i++) {
            try {
                Path t = Files.readSymbolicLink(cur);
                cur = t.isAbsolute() ? at(t.toString()) : cur.getParent().resolve(t).normalize();
            } catch (IOException e) {
                return null;
            }
        }
        return Files.isRegularFile(cur) ? cur : null;
    }

    private boolean isDevNull(Path p) {
        try {
            return p.toRealPath().toString().equals("/dev/null");
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean inSearchPath(Path real, List<Path> dirs) {
        for (Path d : dirs) {
            try {
                if (real.getParent().toRealPath().equals(d.toRealPath())) return true;
            } catch (IOException e) {
                // skip
            }
        }
        return false;
    }

    /**
     * Names that enablement symlinks in the config directories point to: links in *.wants,
     * *.requires and *.upholds, and alias links at the top level.
     */
    private Set<String> enabledTargets() {
        Set<String> persistent = new HashSet<>();
        Set<String> runtime = new HashSet<>();
        for (String d : configDirs) {
            Set<String> into = d.startsWith("/run") ? runtime : persistent;
            Path dir = at(d);
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path e : ds) {
                    String n = e.getFileName().toString();
                    if (Files.isDirectory(e, LinkOption.NOFOLLOW_LINKS)
                            && (n.endsWith(".wants") || n.endsWith(".requires") || n.endsWith(".upholds"))) {
                        try (DirectoryStream<Path> ws = Files.newDirectoryStream(e)) {
                            for (Path l : ws) addLinkTarget(l, into);
                        } catch (IOException ex) {
                            // unreadable
                        }
                    } else if (isUnitName(n)) {
                        addLinkTarget(e, into);
                    }
                }
            } catch (IOException e) {
                // absent
            }
        }
        runtimeOnly.clear();
        for (String r : runtime) if (!persistent.contains(r)) runtimeOnly.add(r);
        Set<String> all = new HashSet<>(persistent);
        all.addAll(runtime);
        return all;
    }

    private static void addLinkTarget(Path link, Set<String> into) {
        if (!Files.isSymbolicLink(link)) return;
        try {
            Path t = Files.readSymbolicLink(link);
            if (t.toString().equals("/dev/null")) return;
            String tn = t.getFileName().toString();
            // an alias link at the top level (name != target) enables its target
            into.add(tn);
        } catch (IOException e) {
            // dangling
        }
    }

    /** Reads the settings hostql reports from the fragment and its drop-ins (later assignments win). */
    private void parse(Unit u) {
        if (u.fragment == null) return;
        parseFile(u.fragment, u, true);
        for (Path dropIn : dropIns(u.id)) parseFile(dropIn, u, false);
    }

    /** *.conf in NAME.d/ of every search directory; of two with the same name, the first directory's wins. */
    private List<Path> dropIns(String id) {
        Map<String, Path> byName = new java.util.TreeMap<>();
        String want = id + ".d";
        for (Path dir : dropInDirs) {
            if (!dir.getFileName().toString().equals(want)) continue;
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.conf")) {
                for (Path p : ds) byName.putIfAbsent(p.getFileName().toString(), p);
            } catch (IOException e) {
                // none
            }
        }
        return new ArrayList<>(byName.values());
    }

    static void parseFile(Path file, Unit u, boolean fragment) {
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return;
        }
        String section = "";
        StringBuilder pending = null;
        for (String raw : text.split("\n")) {
            String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
            if (pending != null) {
                // a line ending in a backslash continues on the next one
                if (line.endsWith("\\")) {
                    pending.append(' ').append(line, 0, line.length() - 1);
                    continue;
                }
                pending.append(' ').append(line);
                line = pending.toString();
                pending = null;
            } else {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#") || t.startsWith(";")) continue;
                if (t.startsWith("[") && t.endsWith("]")) {
                    section = t.substring(1, t.length() - 1);
                    continue;
                }
                if (line.endsWith("\\")) {
                    pending = new StringBuilder(line.substring(0, line.length() - 1));
                    continue;
                }
            }
            assign(u, section, line.strip(), fragment);
        }
        if (pending != null) assign(u, section, pending.toString().strip(), fragment);
    }

    private static void assign(Unit u, String section, String line, boolean fragment) {
        int eq = line.indexOf('=');
        if (eq <= 0) return;
        String key = line.substring(0, eq).strip();
        String value = line.substring(eq + 1).strip();
        switch (section) {
            case "Unit" -> {
                if (key.equals("Description")) u.description = value;
                else if (key.equals("SourcePath")) u.sourcePath = value;
            }
            case "Service" -> {
                if (key.equals("User")) u.user = value;
                else if (key.equals("ExecStart")) {
                    if (value.isEmpty()) u.exec = null;
                    else if (u.exec == null) u.exec = value;
                }
            }
            case "Install" -> {
                if (!fragment) return; // systemctl reads [Install] from the fragment only
                String k = key.toLowerCase(Locale.ROOT);
                if (value.isEmpty()) return;
                if (k.equals("wantedby") || k.equals("requiredby") || k.equals("upheldby")) u.hasInstall = true;
                else if (k.equals("alias")) {
                    u.hasInstall = true;
                    u.aliases.add(value);
                } else if (k.equals("also")) u.hasAlso = true;
            }
            default -> { }
        }
    }
}
