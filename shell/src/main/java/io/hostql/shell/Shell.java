package io.hostql.shell;

import io.hostql.config.Settings;
import io.hostql.config.Version;
import io.hostql.config.flags.DaemonFlags;
import io.hostql.evented.EventedTables;
import io.hostql.sql.Database;
import io.hostql.sql.QueryResult;
import io.hostql.sql.SqlException;
import io.hostql.sql.sqlite.Sqlite;
import io.hostql.sql.table.Column;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs what the user types: SQL statements and dot-commands, printing results to out and one clear
 * line per error to err. Independent of the terminal, so interactive and one-shot modes share it.
 */
final class Shell {
    /** Thrown by .exit/.quit with the status to exit with. */
    static final class ExitRequest extends RuntimeException {
        final int status;

        ExitRequest(int status) {
            super(null, null, false, false);
            this.status = status;
        }
    }

    private static final String HELP = String.join("\n",
            "Welcome to the hostql shell. Please explore your OS!",
            "You are connected to a transient in-memory virtual database.",
            "",
            ".all [TABLE]     Select all from a table",
            ".bail ON|OFF     Stop after hitting an error",
            ".echo ON|OFF     Turn command echo on or off",
            ".exit [CODE]     Exit this program (with CODE)",
            ".features        List enabled and disabled features",
            ".headers ON|OFF  Turn display of headers on or off",
            ".help            Show this message",
            ".mode MODE       Set output mode where MODE is one of:",
            "                   csv      Comma-separated values",
            "                   column   Left-aligned columns see .width",
            "                   line     One value per line",
            "                   list     Values delimited by .separator string",
            "                   pretty   Pretty printed SQL results (default)",
            ".nullvalue STR   Use STRING in place of NULL values",
            ".print STR...    Print literal STRING",
            ".quit            Exit this program",
            ".schema [TABLE]  Show the CREATE statements",
            ".separator STR   Change separator used by output mode",
            ".show            Show the current values for various settings",
            ".summary         Alias for the show meta command",
            ".tables [TABLE]  List names of tables",
            ".timer ON|OFF    Turn the CPU timer measurement on or off",
            ".version         Show hostql and SQLite versions",
            "",
            "One-shot use: hostqli [--json|--csv|--line|--list] 'SELECT ...'   (or the query on stdin)");

    private final Database db;
    private final Settings settings;
    final ShellSettings display;
    private final PrintStream out;
    private final PrintStream err;

    private boolean evented;

    /**
     * Whether a daemon's events.db is attached (else the evented tables are empty in-memory ones): a damaged
     * events.db then explains a failed query.
     */
    void eventsDbAttached(boolean attached) {
        this.evented = attached;
    }

    Shell(Database db, Settings settings, ShellSettings display, PrintStream out, PrintStream err) {
        this.db = db;
        this.settings = settings;
        this.display = display;
        this.out = out;
        this.err = err;
    }

    /** Set by Ctrl-C: the statements of the current input that have not run yet are skipped. */
    private volatile boolean interrupted;

    /** Runs a dot-command or SQL (one or more statements); false when anything failed. */
    boolean execute(String input) {
        String text = input.strip();
        if (text.isEmpty()) return true;
        if (display.echo) out.println(text);
        interrupted = false;
        try {
            if (text.startsWith(".")) return dotCommand(text);
            return sql(text);
        } catch (SqlException e) {
            if (interrupted) err.println(); // past the terminal's "^C"
            error(evented ? EventsDbNotice.explain(e, db, settings.get(DaemonFlags.DATABASE_PATH).resolve("events.db")) : e.getMessage());
            return false;
        }
    }

    /** Ctrl-C (from the signal thread): cancels the running statement and the rest of the input. */
    void interrupt() {
        interrupted = true;
        db.interrupt();
    }

    private void print(QueryResult r) {
        if (interrupted) throw new SqlException(Database.INTERRUPTED);
        ResultPrinter.print(r, display, out);
    }

    private boolean sql(String text) {
        if (!display.timer) {
            db.run(text, this::print);
            return true;
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean(); // loaded only with .timer on: start-up time
        long wall = System.nanoTime();
        long cpu = mx.getCurrentThreadCpuTime(), user = mx.getCurrentThreadUserTime();
        db.run(text, this::print);
        {
            double real = (System.nanoTime() - wall) / 1e9;
            double u = (mx.getCurrentThreadUserTime() - user) / 1e9;
            double sys = (mx.getCurrentThreadCpuTime() - cpu) / 1e9 - u;
            out.printf(Locale.ROOT, "Run Time: real %.3f user %.6f sys %.6f%n", real, u, Math.max(0, sys));
        }
        return true;
    }

    void error(String message) {
        err.println("Error: " + message);
        err.flush();
    }

    private boolean dotCommand(String line) {
        List<String> args = splitArgs(line.substring(1));
        if (args.isEmpty()) return true;
        String cmd = args.get(0).toLowerCase(Locale.ROOT);
        List<String> rest = args.subList(1, args.size());
        switch (match(cmd)) {
            case "all":
                if (rest.size() != 1) return usage(".all TABLE");
                if (db.tables().get(rest.get(0)) == null && !isEventedOrView(rest.get(0))) {
                    error("no such table: " + rest.get(0));
                    return false;
                }
                return sql("SELECT * FROM \"" + rest.get(0).replace("\"", "\"\"") + "\";");
            case "bail":
                return onOff(rest, v -> display.bail = v, ".bail ON|OFF");
            case "echo":
                return onOff(rest, v -> display.echo = v, ".echo ON|OFF");
            case "exit":
                throw new ExitRequest(rest.isEmpty() ? 0 : parseInt(rest.get(0)));
            case "quit":
                throw new ExitRequest(0);
            case "features":
                return sql("SELECT name, value FROM osquery_flags WHERE name LIKE 'disable\\_%' ESCAPE '\\' "
                        + "OR name LIKE 'enable\\_%' ESCAPE '\\' ORDER BY name;");
            case "headers":
                return onOff(rest, v -> display.headers = v, ".headers ON|OFF");
            case "help":
                out.println(HELP);
                return true;
            case "mode": {
                if (rest.size() != 1) return usage(".mode MODE");
                OutputMode m = OutputMode.parse(rest.get(0));
                if (m == null) {
                    error("mode should be one of: column csv line list pretty");
                    return false;
                }
                display.mode = m;
                if (m == OutputMode.CSV) display.separator = ",";
                return true;
            }
            case "nullvalue":
                if (rest.size() != 1) return usage(".nullvalue STRING");
                display.nullValue = rest.get(0);
                return true;
            case "print":
                out.println(String.join(" ", rest));
                return true;
            case "schema":
                for (TableSchema t : tablesWithPrefix(rest.isEmpty() ? "" : rest.get(0))) {
                    out.println(t.createStatement(false) + ";");
                }
                return true;
            case "separator":
                if (rest.size() != 1) return usage(".separator STRING");
                display.separator = rest.get(0);
                return true;
            case "show":
            case "summary":
                show();
                return true;
            case "tables":
            case "list":
                for (TableSchema t : tablesWithPrefix(rest.isEmpty() ? "" : rest.get(0))) out.println("  => " + t.name());
                return true;
            case "timer":
                return onOff(rest, v -> display.timer = v, ".timer ON|OFF");
            case "version":
                out.println(Version.describe("hostql"));
                out.println("using SQLite " + Sqlite.version());
                return true;
            default:
                error("unknown command or invalid arguments: \"" + cmd + "\". Enter \".help\" for help");
                return false;
        }
    }

    private static final String[] COMMANDS = {"all", "bail", "echo", "exit", "features", "headers", "header", "help",
            "list", "mode", "nullvalue", "print", "quit", "schema", "separator", "show", "summary", "tables", "timer",
            "version"};

    /** osqueryi accepts any unambiguous prefix of a command name. */
    private static String match(String cmd) {
        if (cmd.equals("header")) return "headers";
        for (String c : COMMANDS) if (c.equals(cmd)) return c;
        String found = null;
        for (String c : COMMANDS) {
            if (c.startsWith(cmd)) {
                if (found != null) return "?";
                found = c;
            }
        }
        return found == null ? "?" : found.equals("header") ? "headers" : found;
    }

    private boolean isEventedOrView(String name) {
        try {
            db.validate("SELECT * FROM \"" + name.replace("\"", "\"\"") + "\" LIMIT 0");
            return true;
        } catch (SqlException e) {
            return false;
        }
    }

    private List<TableSchema> tablesWithPrefix(String prefix) {
        List<TableSchema> out = new ArrayList<>();
        for (Table t : db.tables().all()) if (t.schema().name().startsWith(prefix)) out.add(t.schema());
        for (TableSchema t : EventedTables.all()) if (t.name().startsWith(prefix)) out.add(t);
        EventedTables.ALIASES.forEach((alias, t) -> {
            if (alias.startsWith(prefix)) out.add(t.named(alias));
        });
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    private void show() {
        out.println("hostql - being built, with love.");
        out.println();
        out.println("        version: " + Version.VERSION + " (osquery " + Version.OSQUERY_COMPATIBLE + " compatible)");
        out.println("  using SQLite: " + Sqlite.version());
        out.println();
        out.println("General settings:");
        out.println("       Flagfile: " + settings.get(DaemonFlags.FLAGFILE));
        out.println("         Config: filesystem (" + settings.get(DaemonFlags.CONFIG_PATH) + ")");
        out.println("       Database: " + settings.get(DaemonFlags.DATABASE_PATH));
        out.println();
        out.println("Shell settings:");
        out.println("           echo: " + (display.echo ? "on" : "off"));
        out.println("        headers: " + (display.headers ? "on" : "off"));
        out.println("           mode: " + display.mode.name().toLowerCase(Locale.ROOT));
        out.println("      nullvalue: \"" + display.nullValue + "\"");
        out.println("         output: stdout");
        out.println("      separator: \"" + display.separator + "\"");
        out.println("          timer: " + (display.timer ? "on" : "off"));
        out.println();
        out.println("Non-default flags/options:");
        for (Settings.Flag f : settings.flags()) {
            if (settings.isSet(f.name())) out.println("  " + f.name() + ": " + f.value());
        }
    }

    private boolean onOff(List<String> rest, java.util.function.Consumer<Boolean> set, String usage) {
        if (rest.size() != 1) return usage(usage);
        String v = rest.get(0).toLowerCase(Locale.ROOT);
        if (v.equals("on") || v.equals("1") || v.equals("yes") || v.equals("true")) set.accept(true);
        else if (v.equals("off") || v.equals("0") || v.equals("no") || v.equals("false")) set.accept(false);
        else return usage(usage);
        return true;
    }

    private boolean usage(String usage) {
        error("usage: " + usage);
        return false;
    }

    private int parseInt(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** Splits dot-command arguments on spaces, honouring single and double quotes. */
    static List<String> splitArgs(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        boolean any = false;
        for (char c : s.toCharArray()) {
            if (quote != 0) {
                if (c == quote) quote = 0;
                else cur.append(c);
            } else if (c == '\'' || c == '"') {
                quote = c;
                any = true;
            } else if (Character.isWhitespace(c)) {
                if (cur.length() > 0 || any) out.add(cur.toString());
                cur.setLength(0);
                any = false;
            } else {
                cur.append(c);
            }
        }
        if (cur.length() > 0 || any) out.add(cur.toString());
        return out;
    }

    /** Table and column names, for completion. */
    List<String> names() {
        List<String> out = new ArrayList<>();
        for (TableSchema t : tablesWithPrefix("")) {
            out.add(t.name());
            for (Column c : t.columns()) out.add(c.name());
        }
        return out;
    }
}
