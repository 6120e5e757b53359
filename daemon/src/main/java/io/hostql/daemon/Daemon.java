package io.hostql.daemon;

import io.hostql.config.Settings;
import io.hostql.config.osquery.ConfigError;
import io.hostql.config.osquery.ConfigLoader;
import io.hostql.config.osquery.FileMonitoring;
import io.hostql.config.osquery.OsqueryConfig;
import io.hostql.alerts.AlertEngine;
import io.hostql.alerts.AlertRule;
import io.hostql.alerts.AlertRules;
import io.hostql.events.Journal;
import io.hostql.loggers.FilesystemLogger;
import io.hostql.loggers.HostIdentifier;
import io.hostql.loggers.LogFormat;
import io.hostql.loggers.ResultLogger;
import io.hostql.evented.EventStore;
import io.hostql.evented.EventedTables;
import io.hostql.publishers.audit.AuditPublisher;
import io.hostql.publishers.inotify.InotifyPublisher;
import io.hostql.publishers.uevent.UeventPublisher;
import io.hostql.subscribers.LossSubscriber;
import io.hostql.subscribers.Subscriber;
import io.hostql.subscribers.audit.ProcessEventsSubscriber;
import io.hostql.subscribers.audit.SocketEventsSubscriber;
import io.hostql.subscribers.audit.UserEventsSubscriber;
import io.hostql.subscribers.fim.FimSubscriber;
import io.hostql.subscribers.hardware.HardwareSubscriber;
import io.hostql.daemon.schedule.ScheduleTables;
import io.hostql.daemon.schedule.Scheduler;
import io.hostql.loggers.delivery.Delivery;
import io.hostql.loggers.delivery.LoggerPlugins;
import io.hostql.loggers.delivery.SinkRunner;
import io.hostql.sql.table.TableRegistry;
import io.hostql.tables.LinuxTables;
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
import java.util.concurrent.atomic.AtomicReference;
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
    private static final long STORAGE_CHECK_MILLIS = 500;

    private final Settings flags;
    private Settings settings;
    private OsqueryConfig config;
    private volatile InstanceLock lock;
    private Journal journal;
    private EventStore store;
    private InotifyPublisher inotify;
    private UeventPublisher uevent;
    private HardwareSubscriber hardware;
    private volatile AuditPublisher audit;
    private final List<Subscriber> subscribers = new ArrayList<>();
    private ScheduledExecutorService maintenance;
    private EventsDbCheck eventsDbCheck;
    private String hostIdentifier;
    /** Swapped whole on SIGHUP; subscribers call through {@link #onCommitted}. */
    private final AtomicReference<AlertEngine> alerts = new AtomicReference<>();
    private ResultLogger resultLogger;
    private volatile Delivery delivery;
    private StatusForwarder statusForwarder;
    private volatile Scheduler scheduler;
    private StorageStatusFile storageStatus;

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
        if (!Files.isDirectory(logs)) FileModes.set(Files.createDirectories(logs), FileModes.LOG_DIR);
        LoggerPlugins.names(settings.string("logger_plugin")); // a bad plugin name stops the start before anything runs
        statusForwarder = StatusLog.configure(logs, settings.bool("verbose"), settings.bool("status_log_json"));
        lock = InstanceLock.acquire(data, settings.path("pidfile"));
        String immutable = ImmutableDataDir.problem(data);
        if (immutable != null) throw new IllegalStateException(immutable);
        log.info("hostqld starting: pid {}, database_path {}, config {}", ProcessHandle.current().pid(), data,
                Files.exists(settings.path("config_path")) ? settings.path("config_path") : "embedded default");
        FileModes.Tightened tightened = FileModes.tighten(data, logs);
        if (tightened.count() > 0) {
            log.warn("tightened the modes of {} existing files and directories open to other users (data dir 0700, its files 0600;"
                    + " log dir 0750, logs 0640), e.g. {}", tightened.count(), tightened.example());
        }
        for (String w : settings.warnings()) log.warn(w);
        for (ConfigError w : config.warnings()) log.warn("config: {}", w);
        AgentInfo.setConfig(config.hash(), true);

        // One result logger and one host identifier for the scheduler and the alert rules.
        AgentInfo.setInstanceId(HostIdentifier.instanceId(data));
        hostIdentifier = HostIdentifier.resolve(settings.string("host_identifier"), settings.string("specified_identifier"),
                data, AgentInfo::hostUuid);
        // events.db first: journal recovery counts as lost only what damage took before every subscriber stored it.
        store = EventStore.open(data.resolve("events.db"), EventedTables.all());
        List<Journal.Committed> committed = new ArrayList<>();
        store.positions().forEach((name, p) -> committed.add(new Journal.Committed(name, p.index(), p.captureNanos())));
        journal = Journal.open(data.resolve("journal"), committed);
        resultLogger = resultLogger(settings, logs, data); // after the journal: the plugins' loss records go there
        alerts.set(alertEngine(config));
        storageStatus = new StorageStatusFile(data);
        subscribers.add(new LossSubscriber(journal, store));
        boolean events = !settings.bool("disable_events");
        if (events && settings.bool("enable_file_events") && config.subscriberEnabled(FimSubscriber.NAME)) {
            subscribers.add(new FimSubscriber(journal, store, settings.number("read_max")));
            inotify = new InotifyPublisher(config.fileMonitoring(), journal);
        }
        if (events && config.subscriberEnabled(HardwareSubscriber.NAME)) {
            hardware = new HardwareSubscriber(journal, store, settings.string("hardware_disabled_types"));
            subscribers.add(hardware);
            uevent = newUeventPublisher();
        }
        if (events && !settings.bool("disable_audit")) audit = auditPublisher(data);
        long rebuiltUntil = store.rebuilding() ? journal.lastIndex() : -1; // events.db rebuilt at open: alerts were raised before
        for (Subscriber s : subscribers) {
            s.addListener(this::onCommitted);
            s.replayQuietlyUntil(rebuiltUntil);
            s.start();
        }
        if (uevent != null) uevent.start();
        if (audit != null) audit = started(audit, "cannot start");
        if (inotify != null) {
            inotify.start();
            log.info("file integrity monitoring: {} categories", config.fileMonitoring().filePaths().size());
        } else if (!events) {
            log.info("events are disabled (--disable_events)");
        }
        TableRegistry registry = registry(settings, this::eventSources, () -> scheduler, this::loggerStatus);
        scheduler = new Scheduler(settings, registry, data, store.file(), EventedTables.all(), resultLogger, hostIdentifier);
        scheduler.configure(config);
        scheduler.start();
        maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hostql-retention");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, settings.number("events_retention_interval"));
        // Each task through Fatal.task: an executor swallows what a task throws, and a swallowed Error is a silent stop.
        maintenance.scheduleWithFixedDelay(Fatal.task("retention pass", this::retention), every, every, TimeUnit.SECONDS);
        if (audit != null) maintenance.scheduleWithFixedDelay(Fatal.task("audit status update", this::auditStatus), 0, AUDIT_STATUS_SECONDS, TimeUnit.SECONDS);
        maintenance.scheduleWithFixedDelay(Fatal.task("storage check", this::storageCheck), 0, STORAGE_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        // The scheduler attached events.db by path: after a rebuild it attaches the new file (as on SIGHUP).
        eventsDbCheck = new EventsDbCheck(store, journal, subscribers, () -> scheduler.configure(config),
                settings.number("events_integrity_check_interval"));
        eventsDbCheck.start();
        lock.writePidfile();
        log.info("hostqld started");
    }

    /** The config's alert rules, compiled; a bad rule is refused with its name (start fails, or a reload keeps the old ones). */
    private AlertEngine alertEngine(OsqueryConfig c) {
        List<AlertRule> rules = AlertRules.parse(c.alerts(), EventedTables.all());
        if (rules.isEmpty()) return null;
        LogFormat format = new LogFormat(settings.bool("logger_numerics"), settings.bool("decorations_top_level"), true,
                settings.bool("logger_snapshot_event_type"));
        AlertEngine engine = new AlertEngine(rules, EventedTables.all(), resultLogger, () -> hostIdentifier, format);
        log.info("alert rules: {}", String.join(", ", rules.stream().map(AlertRule::name).toList()));
        return engine;
    }

    private void onCommitted(io.hostql.sql.table.TableSchema table, List<Object[]> rows) {
        AlertEngine e = alerts.get();
        if (e != null) e.committed(table, rows);
    }

    /** The uevent publisher as the flags ask, or null (logged) when the kernel refuses the socket: the rest runs on. */
    private UeventPublisher newUeventPublisher() {
        UeventPublisher.Source source;
        try {
            source = UeventPublisher.Source.parse(settings.string("hardware_events_source"));
        } catch (IllegalArgumentException e) {
            log.error("{}; using auto", e.getMessage());
            source = UeventPublisher.Source.AUTO;
        }
        long buffer = settings.number("hardware_events_receive_buffer");
        if (buffer < 4096 || buffer > Integer.MAX_VALUE / 2) {
            log.error("hardware_events_receive_buffer must be between 4096 and {} bytes, not {}; using 134217728", Integer.MAX_VALUE / 2, buffer);
            buffer = 134217728;
        }
        try {
            return new UeventPublisher(source, (int) buffer, journal);
        } catch (IllegalStateException e) {
            log.error("hardware events: cannot listen for uevents: {}; hardware_events stays empty", e.getMessage());
            return null;
        }
    }

    /** Every table the daemon's queries see: the snapshot tables, osquery_events, osquery_schedule, osquery_packs and hostql_logger_status. */
    static TableRegistry registry(Settings settings, java.util.function.Supplier<List<OsqueryEventsTable.Source>> events,
            java.util.function.Supplier<Scheduler> scheduler, java.util.function.Supplier<List<SinkRunner.Status>> loggers) {
        TableRegistry registry = LinuxTables.registry(settings);
        registry.add(new OsqueryEventsTable(events));
        ScheduleTables.all(scheduler).forEach(registry::add);
        registry.add(new LoggerStatusTable(loggers));
        return registry;
    }

    /**
     * The listed logger plugins behind one result logger: filesystem written synchronously, the others
     * fed from the outbox under {@code <database_path>/outbox}, their losses recorded in the journal.
     */
    private ResultLogger resultLogger(Settings settings, Path logs, Path data) throws IOException {
        LoggerPlugins.Plan plan = LoggerPlugins.plan(settings);
        ResultLogger filesystem = plan.filesystem() ? new FilesystemLogger(logs, settings.string("logger_mode"),
                settings.bool("logger_rotate") ? settings.number("logger_rotate_size") : 0,
                (int) settings.number("logger_rotate_max_files")) : null;
        delivery = Delivery.start(filesystem, plan.sinks(), data.resolve("outbox"), journal, LoggerPlugins.limits(settings));
        delivery.configure(config);
        statusForwarder.attach(delivery, (int) settings.number("logger_min_status"), hostIdentifier);
        if (!plan.sinks().isEmpty()) {
            log.info("logger plugins: {}", String.join(", ", LoggerPlugins.names(settings.string("logger_plugin"))));
        }
        return delivery;
    }

    private List<SinkRunner.Status> loggerStatus() {
        Delivery d = delivery;
        return d == null ? List.of() : d.status();
    }

    /** osquery_events: the publishers and subscribers running now. */
    private List<OsqueryEventsTable.Source> eventSources() {
        List<OsqueryEventsTable.Source> out = new ArrayList<>();
        InotifyPublisher p = inotify;
        if (p != null) {
            InotifyPublisher.Stats s = p.stats();
            out.add(new OsqueryEventsTable.Source("inotify", "inotify", "publisher", 1, s.eventsPublished(), 0, true,
                    s.losses()));
        }
        for (Subscriber sub : subscribers) {
            Subscriber.Stats s = sub.stats();
            out.add(new OsqueryEventsTable.Source(s.name(), sub instanceof FimSubscriber ? "inotify" : "journal", "subscriber", 1,
                    s.rows(), 0, s.active(), 0)); // a subscriber loses nothing: rows and position commit together
        }
        return out;
    }

    /** The audit subscribers the flags and the config's events section enable, and their publisher (null when none is). */
    private AuditPublisher auditPublisher(Path data) {
        AuditPublisher.Config c = auditConfig(settings, config, data);
        if (c == null) return null;
        if (c.processEvents()) subscribers.add(new ProcessEventsSubscriber(journal, store));
        if (c.sockets()) {
            subscribers.add(new SocketEventsSubscriber(journal, store, new SocketEventsSubscriber.Options(
                    settings.bool("audit_allow_failed_socket_events"), settings.bool("audit_allow_null_accept_socket_events"),
                    settings.bool("audit_allow_unix"))));
        }
        if (c.userEvents()) subscribers.add(new UserEventsSubscriber(journal, store));
        return new AuditPublisher(c, journal);
    }

    /** What audit should be, from flags, config options and the events section; null when no audit subscriber is enabled. */
    private static AuditPublisher.Config auditConfig(Settings settings, OsqueryConfig config, Path data) {
        boolean processes = settings.bool("audit_allow_process_events") && config.subscriberEnabled(ProcessEventsSubscriber.NAME);
        boolean sockets = settings.bool("audit_allow_sockets") && config.subscriberEnabled(SocketEventsSubscriber.NAME);
        boolean users = settings.bool("audit_allow_user_events") && config.subscriberEnabled(UserEventsSubscriber.NAME);
        if (!processes && !sockets && !users) {
            log.info("audit: no audit subscriber is enabled (audit_allow_process_events, audit_allow_sockets, audit_allow_user_events)");
            return null;
        }
        try {
            return new AuditPublisher.Config(AuditPublisher.Mode.parse(settings.string("audit_mode")), settings.bool("audit_allow_config"),
                    processes, sockets, settings.bool("audit_allow_accept_socket_events"), users,
                    (int) settings.number("audit_backlog_limit"), (int) settings.number("audit_backlog_wait_time"), data);
        } catch (IllegalArgumentException e) {
            log.error("audit: {}; process_events, socket_events and user_events are not captured", e.getMessage());
            return null;
        }
    }

    /**
     * SIGHUP with other audit options: a new publisher with the new mode, rules and backlog (the old one
     * puts back the kernel state it found first). Turning an audit table on or off needs its subscriber
     * created or stopped with the store, which is done at start only: that is said, not ignored.
     */
    private void reconfigureAudit(Settings next, OsqueryConfig nextConfig) {
        if (next.bool("disable_audit") != settings.bool("disable_audit")) {
            log.warn("audit: disable_audit changed; it takes effect when hostqld restarts");
            return;
        }
        if (audit == null) return; // events or audit off, or it could not start: nothing to reconfigure
        AuditPublisher.Config want = auditConfig(next, nextConfig, settings.path("database_path"));
        AuditPublisher.Config have = audit.config();
        if (want == null || want.processEvents() != have.processEvents() || want.sockets() != have.sockets()
                || want.userEvents() != have.userEvents()) {
            log.warn("audit: the audit tables enabled changed (audit_allow_process_events, audit_allow_sockets, audit_allow_user_events,"
                    + " events); that takes effect when hostqld restarts");
            return;
        }
        if (want.equals(have)) return;
        log.info("audit: settings changed; restarting the audit publisher");
        audit.close();
        audit = started(new AuditPublisher(want, journal), "cannot restart with the new settings");
        if (audit == null) audit = started(new AuditPublisher(have, journal), "cannot restart with the previous settings either");
    }

    /** The publisher, started; or null, with the reason logged, when it cannot start. */
    private AuditPublisher started(AuditPublisher p, String what) {
        try {
            p.start();
            return p;
        } catch (IOException | RuntimeException e) {
            log.error("audit: {} ({}); process_events, socket_events and user_events are not captured", what, e.getMessage());
            p.close();
            return null;
        }
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
        store.applyRetention(settings.number("events_expiry"), settings.number("events_max"), settings.number("events_max_bytes"));
        journal.applyRetention(settings.number("journal_expiry") * 1000, settings.number("journal_max_bytes"));
        Delivery d = delivery;
        if (d != null) d.retention();
    }

    /**
     * Every half second: a data dir made immutable stops hostqld (see {@link ImmutableDataDir}); a degraded
     * journal is rechecked, so that it resumes and writes its loss record even when no event comes; and the
     * state goes to the status file for hostqlctl status.
     */
    private void storageCheck() {
        String immutable = ImmutableDataDir.problem(settings.path("database_path"));
        if (immutable != null) Fatal.halt(immutable, Fatal.STORAGE);
        journal.recheckStorage();
        StringBuilder text = new StringBuilder("pid ").append(ProcessHandle.current().pid()).append('\n');
        text.append(journal.storageStatus().describe()).append('\n');
        List<String> failing = subscribers.stream().filter(Subscriber::commitsFailing).map(Subscriber::name).toList();
        text.append(failing.isEmpty() ? "events.db: ok" : "events.db: DEGRADED: commits fail for " + String.join(", ", failing)
                + "; their events wait in the journal and are retried").append('\n');
        storageStatus.write(text.toString());
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
            AlertEngine nextAlerts = alertEngine(next);
            AlertEngine old = alerts.getAndSet(nextAlerts);
            if (old != null) old.close();
            config = next;
            AgentInfo.setConfig(next.hash(), true);
            if (inotify != null) inotify.reconfigure(next.fileMonitoring());
            Settings nextSettings = flags.withOptions(next.options());
            for (String w : nextSettings.warnings()) if (!flags.warnings().contains(w)) log.warn(w); // the options' (flags' were at start)
            if (hardware != null) hardware.disabledTypes(nextSettings.string("hardware_disabled_types"));
            reconfigureAudit(nextSettings, next);
            if (scheduler != null) scheduler.configure(next);
            Delivery d = delivery;
            if (d != null) d.configure(next);
            log.info("config reloaded: {} file_paths categories", next.fileMonitoring().filePaths().size());
        } catch (RuntimeException e) {
            log.error("config reload refused, keeping the running config: {}", e.getMessage());
        }
    }

    /** Removes the pidfile and releases the instance lock: before a halt, which skips {@link #stop}. */
    void releaseLock() {
        InstanceLock l = lock;
        if (l != null) l.close();
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
        if (eventsDbCheck != null) eventsDbCheck.close(); // before the subscribers: a rebuild restarts them
        if (scheduler != null) scheduler.close();
        if (inotify != null) inotify.close();
        if (uevent != null) uevent.close();
        if (audit != null) {
            audit.close();
            auditStatus();
        }
        for (Subscriber s : subscribers) s.close();
        AlertEngine a = alerts.getAndSet(null);
        if (a != null) a.close();
        if (statusForwarder != null) statusForwarder.detach();
        if (resultLogger != null) resultLogger.close(); // last: the scheduler and the alerts write through it
        if (store != null) store.close();
        if (storageStatus != null) storageStatus.close();
        if (journal != null) journal.close();
        if (lock != null) lock.close();
        log.info("hostqld stopped");
    }

    static String describe(Path p) {
        return new String(p.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }
}
