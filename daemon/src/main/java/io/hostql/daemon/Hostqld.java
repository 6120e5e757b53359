package io.hostql.daemon;

import io.hostql.config.Settings;
import io.hostql.config.SettingsException;
import io.hostql.config.Version;
import io.hostql.config.flags.FlagHelp;
import io.hostql.config.osquery.ConfigException;
import io.hostql.config.osquery.OsqueryConfig;
import io.hostql.os.Libc;
import io.hostql.sql.sqlite.SqliteUnavailableException;
import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/** hostqld: the daemon, in the foreground. SIGTERM/SIGINT stop it cleanly; SIGHUP re-reads the config. */
public final class Hostqld {
    /** The program's own options, then every hostqld flag from its declaration (io.hostql.config.flags). */
    private static final String USAGE = String.join("\n",
            "hostqld " + Version.VERSION + ", an osquery-compatible host intrusion detection daemon for Linux",
            "",
            "Usage: hostqld [--flag=value ...]",
            "",
            "  --config_check                              Validate the config (every query prepared) and the flags, and exit",
            "  --config_dump                               Print the effective config and exit",
            "  --help                                      Print this and exit",
            "  --version                                   Print the version and exit",
            "",
            "Flags come from the command line, a --flagfile (osquery.flags works), HOSTQL_<FLAG> environment",
            "variables and the config's \"options\" (lowest first: the command line wins). Runs in the foreground;",
            "query its evented tables with: hostqli --database_path DIR")
            + "\n" + FlagHelp.describe(g -> !g.shellOnly());

    private Hostqld() {}

    public static void main(String[] args) {
        FileModes.restrictUmask();
        System.exit(run(args));
    }

    static int run(String[] args) {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                System.out.println(USAGE);
                return 0;
            }
            if (a.equals("--version")) {
                System.out.println(Version.describe("hostqld"));
                return 0;
            }
        }
        boolean check = false, dump = false;
        java.util.List<String> rest = new java.util.ArrayList<>();
        for (String a : args) {
            if (a.equals("--config_check")) check = true;
            else if (a.equals("--config_dump")) dump = true;
            else rest.add(a);
        }
        Settings flags;
        try {
            flags = Settings.parse(rest.toArray(new String[0]));
        } catch (SettingsException e) {
            if (check) for (String w : e.warnings()) System.err.println("warning: " + w); // --config_check reports both
            System.err.println("hostqld: " + e.getMessage());
            return 1;
        }
        if (check || dump) return checkOrDump(flags, dump);

        Daemon daemon = new Daemon(flags);
        // From here, a thread that dies ends the process non-zero (systemd restarts it): see Fatal.
        Fatal.install(daemon::releaseLock);
        CountDownLatch stopped = new CountDownLatch(1);
        // SIGHUP's default ends the JVM, and "hostqld started" is logged inside start(): so it is handled from here on,
        // and one that comes while starting is applied once started (the config may have changed meanwhile).
        HupGate hup = new HupGate(daemon::reload);
        // The JVM keeps a SIGHUP ignored at exec (nohup, a parent ignoring it) ignored and silently drops a handler for it:
        // its default first, so kill -HUP reloads however hostqld was started (a hangup then reloads too, it does not end it).
        Libc.signal(Libc.SIGHUP, Libc.SIG_DFL);
        if (Signal.handle(new Signal("HUP"), s -> hup.signal()) == sun.misc.SignalHandler.SIG_IGN) {
            System.err.println("hostqld: SIGHUP was ignored when hostqld started and stays ignored: kill -HUP will not reload the config");
        }
        // TERM and INT are a normal stop (exit 0), also while starting: handled from here, so one that comes during start()
        // (the scheduler already logs results then) stops the daemon once started instead of ending the JVM with 143 and
        // no clean stop. The hook covers other JVM exits.
        Runtime.getRuntime().addShutdownHook(new Thread(daemon::stop, "hostql-shutdown"));
        Signal.handle(new Signal("TERM"), s -> stopped.countDown());
        Signal.handle(new Signal("INT"), s -> stopped.countDown());
        try {
            daemon.start();
        } catch (ConfigException e) {
            System.err.println("hostqld: the config is invalid:\n" + e.getMessage());
            daemon.stop();
            return 1;
        } catch (io.hostql.alerts.AlertConfigException e) {
            System.err.println("hostqld: the config is invalid:\n" + e.getMessage());
            daemon.stop();
            return 1;
        } catch (SqliteUnavailableException | SettingsException e) {
            System.err.println("hostqld: " + e.getMessage());
            daemon.stop();
            return 1;
        } catch (Exception e) {
            System.err.println("hostqld: cannot start: " + e.getMessage());
            daemon.stop();
            return 1;
        }
        hup.open();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        daemon.stop();
        return 0;
    }

    private static int checkOrDump(Settings flags, boolean dump) {
        try {
            OsqueryConfig c = Daemon.loadConfig(flags);
            Settings settings = flags.withOptions(c.options());
            for (var w : c.warnings()) System.err.println("warning: " + w);
            // Alert predicates are compiled against the evented tables, as the daemon would.
            io.hostql.alerts.AlertEngine.check(io.hostql.alerts.AlertRules.parse(c.alerts(), io.hostql.evented.EventedTables.all()),
                    io.hostql.evented.EventedTables.all());
            for (String w : settings.warnings()) System.err.println("warning: " + w);
            if (dump) {
                System.out.println(ConfigCheck.dump(c, settings));
                return 0;
            }
            var errors = ConfigCheck.sqlErrors(c, settings);
            for (var e : errors) System.err.println(e);
            return errors.isEmpty() ? 0 : 1;
        } catch (ConfigException | io.hostql.alerts.AlertConfigException e) {
            System.err.println(e.getMessage());
            return 1;
        } catch (SqliteUnavailableException e) {
            System.err.println("hostqld: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            System.err.println("hostqld: " + e.getMessage());
            return 1;
        }
    }

    /** Holds SIGHUPs that come before the daemon has started; after {@link #open}, each one reloads at once. */
    static final class HupGate {
        private final Runnable reload;
        private boolean open, pending;

        HupGate(Runnable reload) {
            this.reload = reload;
        }

        void signal() {
            synchronized (this) {
                if (!open) {
                    pending = true;
                    return;
                }
            }
            reload.run();
        }

        void open() {
            boolean replay;
            synchronized (this) {
                open = true;
                replay = pending;
                pending = false;
            }
            if (replay) reload.run();
        }
    }
}
