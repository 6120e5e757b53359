package io.hostql.shell;

import io.hostql.config.Settings;
import io.hostql.config.SettingsException;
import io.hostql.config.Version;
import io.hostql.config.flags.DaemonFlags;
import io.hostql.config.flags.FlagHelp;
import io.hostql.config.flags.ShellFlags;
import io.hostql.config.flags.TableFlags;
import io.hostql.evented.EventedTables;
import io.hostql.sql.Database;
import io.hostql.sql.sqlite.SqliteUnavailableException;
import io.hostql.tables.LinuxTables;
import io.hostql.tables.self.DaemonState;
import io.hostql.tables.self.DaemonStateFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/** hostqli: the SQL shell. Interactive on a terminal; one-shot with a query argument, --query, --A, --L or stdin. */
public final class Hostqli {
    /**
     * The shell's own usage, then its flags and the tables' and the data dir's, from their declarations. Made
     * for --help only: rendering every flag (a first string concatenation of each shape) cost every start ~20 ms.
     */
    private static String usage() {
        return String.join("\n",
                "hostqli " + Version.VERSION + ", an osquery-compatible SQL shell for Linux",
                "",
                "Usage: hostqli [OPTION...] [SQL_STATEMENT]",
                "",
                "Without SQL and on a terminal, starts an interactive shell (.help lists dot-commands).",
                "SQL may also come on stdin (statements end with ';'). Errors go to stderr; a failed",
                "one-shot query exits with status 1. hostqld's other flags are accepted too (hostqld --help).")
                + "\n" + FlagHelp.describe(g -> g == ShellFlags.GROUP || g == TableFlags.GROUP || g == DaemonFlags.GROUP);
    }

    private Hostqli() {}

    public static void main(String[] args) {
        int status = run(args, System.in, System.out, System.err, System.console() != null);
        System.out.flush();
        System.exit(status);
    }

    static int run(String[] args, InputStream in, PrintStream out, PrintStream err, boolean terminal) {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h") || a.equals("-help")) {
                out.println(usage());
                return 0;
            }
            if (a.equals("--version") || a.equals("-version")) {
                out.println(Version.describe("hostqli"));
                return 0;
            }
        }
        Settings settings;
        try {
            settings = Settings.parse(args);
        } catch (SettingsException e) {
            err.println("Error: " + e.getMessage());
            return 1;
        }
        for (String w : settings.warnings()) err.println("Warning: " + w);

        // osquery_schedule, osquery_packs and osquery_events: the state of the hostqld on this data dir, if one runs
        DaemonState daemon = DaemonStateFile.reader(settings.get(DaemonFlags.DATABASE_PATH));
        try (Database db = Database.open(LinuxTables.registry(settings, daemon))) {
            boolean evented = attachEvents(db, settings, err);
            if (!evented) EventedTables.attachEmpty(db, EventedTables.all()); // the tables exist, empty, as in osqueryi
            Shell shell = new Shell(db, settings, ShellSettings.from(settings), out, err);
            shell.eventsDbAttached(evented);
            try {
                String oneShot = oneShotInput(settings);
                if (oneShot != null) return shell.execute(oneShot) ? 0 : 1;
                if (!terminal) return runScript(shell, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                return new Interactive(shell).loop();
            } catch (Shell.ExitRequest e) {
                return e.status;
            }
        } catch (SqliteUnavailableException e) {
            err.println("Error: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("Error: " + e.getMessage());
            return 1;
        }
    }

    /**
     * Attaches a daemon's events.db read-only, so its evented tables (file_events, ...) can be queried
     * while it runs. Silent when there is none at the default path; a warning when one was asked for.
     */
    static boolean attachEvents(Database db, Settings settings, PrintStream err) {
        Path events = settings.get(DaemonFlags.DATABASE_PATH).resolve("events.db");
        if (accessDenied(events)) {
            err.println("Warning: cannot read " + events.getParent() + " (permission denied); run as root to query evented tables");
            return false;
        }
        if (!Files.exists(events)) {
            if (settings.isSet(DaemonFlags.DATABASE_PATH)) {
                err.println("Warning: no events.db in " + settings.get(DaemonFlags.DATABASE_PATH) + "; evented tables are not available");
            }
            return false;
        }
        if (!Files.isReadable(events)) {
            err.println("Warning: cannot read " + events + " (permission denied); run as root to query evented tables");
            return false;
        }
        try {
            EventedTables.attach(db, events);
            String rebuilding = EventsDbNotice.whileRebuilding(events);
            if (rebuilding != null) err.println("Warning: " + rebuilding);
            return true;
        } catch (RuntimeException e) {
            err.println("Warning: cannot open " + events + ": " + e.getMessage());
            return false;
        }
    }

    /** A data dir the user may not enter looks like a missing file to Files.exists. */
    private static boolean accessDenied(Path file) {
        try {
            Files.readAttributes(file, BasicFileAttributes.class);
            return false;
        } catch (AccessDeniedException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The one statement or dot-command given on the command line, or null for interactive/stdin use. */
    private static String oneShotInput(Settings s) throws IOException {
        if (!s.positional().isEmpty()) return String.join(" ", s.positional());
        if (!s.get(ShellFlags.QUERY).isEmpty()) return s.get(ShellFlags.QUERY);
        if (!s.get(ShellFlags.QUERY_FILE).isEmpty()) {
            Path f = Path.of(s.get(ShellFlags.QUERY_FILE));
            try {
                return Files.readString(f);
            } catch (IOException e) {
                throw new IOException("cannot read --query_file " + f + ": " + e.getMessage());
            }
        }
        if (!s.get(ShellFlags.ALL_FROM).isEmpty()) return ".all " + s.get(ShellFlags.ALL_FROM);
        if (s.get(ShellFlags.LIST_TABLES)) return ".tables";
        return null;
    }

    /** stdin: dot-commands on their own lines, SQL statements ending with ';'. Status 1 if anything failed. */
    static int runScript(Shell shell, String script) {
        boolean ok = true;
        StringBuilder sql = new StringBuilder();
        for (String line : script.split("\n", -1)) {
            if (sql.toString().isBlank() && line.strip().startsWith(".")) {
                ok &= shell.execute(line);
                if (!ok && shell.display.bail) return 1;
                continue;
            }
            sql.append(line).append('\n');
            if (Database.isComplete(sql.toString())) {
                ok &= shell.execute(sql.toString());
                sql.setLength(0);
                if (!ok && shell.display.bail) return 1;
            }
        }
        if (!sql.toString().isBlank()) ok &= shell.execute(sql.toString());
        return ok ? 0 : 1;
    }
}
