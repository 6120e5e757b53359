package io.hostql.daemon;

import io.hostql.config.Settings;
import io.hostql.config.osquery.ConfigError;
import io.hostql.config.osquery.ConfigLoader;
import io.hostql.config.osquery.FileMonitoring;
import io.hostql.config.osquery.OsqueryConfig;
import io.hostql.events.Journal;
import io.hostql.evented.EventStore;
import io.hostql.evented.EventedTables;
import io.hostql.publishers.audit.AuditPublisher;
import io.hostql.publishers.inotify.InotifyPublisher;
import io.hostql.subscribers.LossSubscriber;
import io.hostql.subscribers.Subscriber;
import io.hostql.subscribers.audit.ProcessEventsSubscriber;
import io.hostql.subscribers.audit.SocketEventsSubscriber;
import io.hostql.subscribers.audit.UserEventsSubscriber;
import io.hostql.subscribers.fim.FimSubscriber;
import io.hostql.tables.self.AgentInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running agent: journal, event store, the publishers and subscribers the config enables, and
 * periodic retention. start() and stop() are called once each; reload() on SIGHUP.
 */
final class Daemon {
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);
    static final String DEFAULT_CONFIG = "default-config.json";
    private static final long AUDIT_STATUS_SECONDS = 5;

    private final Settings flags;
    private Settings settings;
    private OsqueryConfig config;
    private InstanceLock lock;
    private Journal journal;
    private EventStore store;
    private InotifyPublisher inotify;
    private AuditPublisher audit;
    private final List<Subscriber> subscribers = new ArrayList<>();
    private ScheduledExecutorService maintenance;

    Daemon(Settings flags) {
        this.flags = flags;
    }

    /** Loads --config_path, or the embedded default config when no config file was asked for and none exists. */
    static OsqueryConfig loadConfig(Settings flags) {
        Path path = flags.path("config_path");
        if (!Files.exists(path) && !flags.isSet("config_path")) {
            try (InputStream in = Daemon.class.getResourceAsStream(DEFAULT_CONFIG)) {
                Path tmp = Files.createTempFile("hostql-default", ".conf");
                try {
                    Files.write(tmp, in.readAllBytes());
                    return ConfigLoader.load(tmp);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the embedded default config: " + e.getMessage(), e);
            }
        }
        return ConfigLoader.load(path);
    }

    void start() throws IOException {
        config = loadConfig(flags);
        settings = flags.withOptions(config.options());
        Path data = settings.path("database_path");
        Path logs = settings.path("logger_path");
        createPrivateDir(data);
        Files.createDirectories(logs);
        StatusLog.configure(logs, settings.bool("verbose"), false);
        lock = InstanceLock.acquire(data, settings.path("pidfile"));
        log.info("hostqld starting: pid {}, database_path {}, config {}", ProcessHandle.current().pid(), data,
                Files.exists(settings.path("config_path")) ? settings.path("config_path") : "embedded default");
        for (String w : settings.warnings()) log.warn(w);
        for (ConfigError w : config.warnings()) log.warn("config: {}", w);
        AgentInfo.setConfig(config.hash(), true);

        journal = Journal.open(data.resolve("journal"));
        store = EventStore.open(data.resolve("events.db"), EventedTables.all());
        subscribers.add(new LossSubscriber(journal, store));
        boolean events = !settings.bool("disable_events");
        if (events && settings.bool("enable_file_events") && config.subscriberEnabled(FimSubscriber.NAME)) {
            subscribers.add(new FimSubscriber(journal, store, settings.number("read_max")));
            inotify = new InotifyPublisher(config.fileMonitoring(), journal);
        }
        if (events && !settings.bool("disable_audit")) audit = auditPublisher(data);
        for (Subscriber s : subscribers) s.start();
        if (audit != null) {
            try {
                audit.start();
            } catch (IOException | RuntimeException e) {
                log.error("audit: cannot start ({}); process_events, socket_events and user_events are not captured", e.getMessage());
                audit.close();
                audit = null;
            }
        }
        if (inotify != null) {
            inotify.start();
            log.info("file integrity monitoring: {} categories", config.fileMonitoring().filePaths().size());
        } else if (!events) {
            log.info("events are disabled (--disable_events)");
        }
        maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hostql-retention");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, settings.number("events_retention_interval"));
        maintenance.scheduleWithFixedDelay(this::retention, every, every, TimeUnit.SECONDS);
        if (audit != null) maintenance.scheduleWithFixedDelay(this::auditStatus, 0, AUDIT_STATUS_SECONDS, TimeUnit.SECONDS);
        lock.writePidfile();
        log.info("hostqld started");
    }

    /** The audit subscribers the flags and the config's events section enable, and their publisher (null when none is). */
    private AuditPublisher auditPublisher(Path data) {
        boolean processes = settings.bool("audit_allow_process_events") && config.subscriberEnabled(ProcessEventsSubscriber.NAME);
        boolean sockets = settings.bool("audit_allow_sockets") && config.subscriberEnabled(SocketEventsSubscriber.NAME);
        boolean users = settings.bool("audit_allow_user_events") && config.subscriberEnabled(UserEventsSubscriber.NAME);
        if (!processes && !sockets && !users) {
            log.info("audit: no audit subscriber is enabled (audit_allow_process_events, audit_allow_sockets, audit_allow_user_events)");
            return null;
        }
        AuditPublisher.Config c;
        try {
            c = new AuditPublisher.Config(AuditPublisher.Mode.parse(settings.string("audit_mode")), settings.bool("audit_allow_config"),
                    processes, sockets, settings.bool("audit_allow_accept_socket_events"), users,
                    (int) settings.number("audit_backlog_limit"), (int) settings.number("audit_backlog_wait_time"), data);
        } catch (IllegalArgumentException e) {
            log.error("audit: {}; process_events, socket_events and user_events are not captured", e.getMessage());
            return null;
        }
        if (processes) subscribers.add(new ProcessEventsSubscriber(journal, store));
        if (sockets) {
            subscribers.add(new SocketEventsSubscriber(journal, store, new SocketEventsSubscriber.Options(
                    settings.bool("audit_allow_failed_socket_events"), settings.bool("audit_allow_null_accept_socket_events"),
                    settings.bool("audit_allow_unix"))));
        }
        if (users) subscribers.add(new UserEventsSubscriber(journal, store));
        return new AuditPublisher(c, journal);
    }

    private static void createPrivateDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            try {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX filesystem
            }
        }
    }

    private void retention() {
        try {
            store.applyRetention(settings.number("events_expiry"), settings.number("events_max"), settings.number("events_max_bytes"));
            journal.applyRetention(settings.number("journal_expiry") * 1000, settings.number("journal_max_bytes"));
        } catch (RuntimeException e) {
            log.warn("retention pass failed: {}", e.toString());
        }
    }

    /** hostql_audit_status: the audit publisher's counters, for users asking what was read and lost. */
    private void auditStatus() {
        AuditPublisher a = audit;
        if (a == null) return;
        try {
            AuditPublisher.Stats s = a.stats();
            store.replace(EventedTables.AUDIT_STATUS, new Object[] {System.currentTimeMillis() / 1000, ProcessHandle.current().pid(), s.mode(),
                    (long) s.ownerPid(), (long) s.enabled(), (long) s.backlogLimit(), (long) s.backlogWaitTime(), (long) s.backlog(),
                    s.kernelLostAtStart(), s.kernelLost(), s.records(), s.processEvents(), s.socketEvents(), s.userEvents(), s.incomplete(),
                    s.serialGapEvents(), s.enobufs(), s.ignoredOwn(), s.malformed(), (long) s.receiveBuffer()});
        } catch (RuntimeException e) {
            log.warn("audit status update failed: {}", e.toString());
        }
    }

    /** SIGHUP: re-read the config and re-plan file watches; a bad config is refused and the old one kept. */
    synchronized void reload() {
        try {
            OsqueryConfig next = loadConfig(flags);
            for (ConfigError w : next.warnings()) log.warn("config: {}", w);
            config = next;
            AgentInfo.setConfig(next.hash(), true);
            if (inotify != null) inotify.reconfigure(next.fileMonitoring());
            log.info("config reloaded: {} file_paths categories", next.fileMonitoring().filePaths().size());
        } catch (RuntimeException e) {
            log.error("config reload refused, keeping the running config: {}", e.getMessage());
        }
    }

    FileMonitoring fileMonitoring() {
        return config.fileMonitoring();
    }

    /** SIGTERM: stop capturing, let subscribers commit what they hold, close the journal and store. */
    private boolean stopped;

    synchronized void stop() {
        if (stopped) return;
        stopped = true;
        log.info("hostqld stopping");
        if (maintenance != null) maintenance.shutdownNow();
        if (inotify != null) inotify.close();
        if (audit != null) {
            audit.close();
            auditStatus();
        }
        for (Subscriber s : subscribers) s.close();
        if (store != null) store.close();
        if (journal != null) journal.close();
        if (lock != null) lock.close();
        log.info("hostqld stopped");
    }

    static String describe(Path p) {
        return new String(p.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }
}
