package io.hostql.tables.scheduling;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import io.hostql.tables.os.Dirs;
import io.hostql.tables.users.Passwd;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * startup_items, as osquery builds it on Linux: users' XDG autostart entries and autostart scripts,
 * /etc/init.d scripts, /etc/xdg/autostart entries, and systemd units. With systemd running these are
 * its loaded units (status = active state, as osquery); without it, the unit files that are enabled to
 * start, with the active state a unit systemd does not run has: inactive (the enablement, e.g. "enabled",
 * is systemd_units' column, not this one).
 */
public final class StartupItemsTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("startup_items", "Applications and binaries set as user/login startup items.")
            .text("name").text("path").text("args").text("type").text("source").text("status").text("username")
            .build();

    private final Path root;
    private final Supplier<List<Passwd.User>> users;
    private final Supplier<List<Systemd.LoadedUnit>> running;

    public StartupItemsTable() {
        this(Path.of("/"), () -> Passwd.systemOrEmpty().users(), Systemd::loadedUnits);
    }

    StartupItemsTable(Path root, Supplier<List<Passwd.User>> users, Supplier<List<Systemd.LoadedUnit>> running) {
        this.root = root;
        this.users = users;
        this.running = running;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    private Path at(String absolute) {
        return root.resolve(absolute.startsWith("/") ? absolute.substring(1) : absolute);
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        Set<String> homes = new LinkedHashSet<>();
        for (Passwd.User u : users.get()) {
            String home = u.directory();
            if (home.isEmpty() || home.equals("/") || !homes.add(home)) continue;
            desktopEntries(at(home + "/.config/autostart/"), home + "/.config/autostart/", u.name(), rows);
            scripts(at(home + "/.config/autostart-scripts/"), home + "/.config/autostart-scripts/", u.name(), rows);
        }
        scripts(at("/etc/init.d/"), "/etc/init.d/", null, rows);
        desktopEntries(at("/etc/xdg/autostart/"), "/etc/xdg/autostart/", null, rows);

        List<Systemd.LoadedUnit> loaded = running.get();
        if (loaded != null) {
            for (Systemd.LoadedUnit u : loaded) {
                rows.add().set("name", u.id).set("path", u.fragmentPath).set("type", "systemd unit")
                        .set("source", u.sourcePath).set("status", u.activeState).set("username", u.user);
            }
            return;
        }
        for (UnitFiles.Unit u : new UnitFiles(root).all().values()) {
            if (!u.state.startsWith("enabled") && !u.state.equals("generated") && !u.state.equals("transient")) continue;
            rows.add().set("name", u.id).set("path", u.fragment == null ? "" : u.fragment.toString())
                    .set("type", "systemd unit").set("source", u.sourcePath == null ? "" : u.sourcePath)
                    .set("status", "inactive").set("username", u.user == null ? "" : u.user);
        }
    }

    /** XDG autostart .desktop entries: Name= and Exec= of each. */
    private static void desktopEntries(Path dir, String source, String user, RowSink rows) {
        for (Path f : Dirs.regularFiles(dir)) {
            String name = null;
            String exec = null;
            try {
                for (String line : new String(Files.readAllBytes(f), StandardCharsets.UTF_8).split("\n")) {
                    if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
                    if (name == null && line.startsWith("Name=")) name = line.substring(5).strip();
                    else if (exec == null && line.startsWith("Exec=")) exec = line.substring(5).strip();
                }
            } catch (IOException e) {
                // unreadable: the row still names the file's directory
            }
            rows.add().set("name", name).set("path", exec).set("type", "Startup Item").set("source", source)
                    .set("status", "enabled").set("username", user);
        }
    }

    /** Scripts run at startup (init.d, autostart-scripts): one row per file. */
    private void scripts(Path dir, String source, String user, RowSink rows) {
        for (Path f : Dirs.regularFiles(dir)) {
            rows.add().set("name", f.getFileName().toString()).set("path", source + f.getFileName())
                    .set("type", "Startup Item").set("source", source).set("status", "enabled").set("username", user);
        }
    }
}
