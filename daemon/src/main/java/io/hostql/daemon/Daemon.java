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
import io.hostql.subscribers.yara.YaraEventsSubscriber;
import io.hostql.tables.yara.YaraOptions;
import io.hostql.daemon.schedule.LiveQueries;
import io.hostql.daemon.schedule.Scheduler;
import io.hostql.loggers.delivery.Delivery;
import io.hostql.loggers.delivery.LoggerPlugins;
import io.hostql.loggers.delivery.SinkRunner;
import io.hostql.remote.RemoteCall;
import io.hostql.remote.carve.Carves;
import io.hostql.remote.carve.CarvesTable;
import io.hostql.remote.distributed.DistributedQueries;
import io.hostql.remote.config.ConfigRefresher;
import io.hostql.remote.config.TlsConfig;
import io.hostql.remote.enroll.HostDetails;
import io.hostql.remote.logger.TlsLoggerSink;
import io.hostql.remote.transport.RemoteClient;
import io.hostql.sql.table.TableRegistry;
import io.hostql.tables.LinuxTables;
import io.hostql.tables.self.AgentInfo;
import io.hostql.tables.self.DaemonState;
import io.hostql.tables.self.DaemonStateFile;
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
    private static final long STATE_FILE_SECONDS = 3;

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
    /** Distributed queries and file carving (the TLS remote API); null when off. */
    private volatile Carves carves;
    private ScheduledExecutorService distributed, carver;
    private LiveQueries liveQueries;
    /** The manager's TLS remote API, when a tls plugin is asked for (config_plugin or logger_plugin); else null. */
    private volatile RemoteClient remote;
    private ConfigRefresher configRefresher;

    Daemon(Settings flags) {
        this.flags = flags;
        LoggerPlugins.register(TlsLoggerSink.PLUGIN, s -> {
            TlsLoggerSink sink = new TlsLoggerSink(remote, s);
            remote.status().loggerEndpoint(sink.endpoint(), this::tlsPendingLines);
            return sink;
        });
    }

    /**
     * The config: --config_path (or the embedded default when no config file was asked for and none
     * exists); with --config_plugin=tls, the manager's last config hostqld accepted (cached in the data
     * dir), or an empty one until the manager answers.
     */
    static OsqueryConfig loadConfig(Settings flags) {
        if (TlsConfig.wanted(flags)) {
            Path cache = TlsConfig.cacheFile(flags.path("database_path"));
            if (Files.exists(cache)) return ConfigLoader.load(cache);
            return loadEmbedded("{}\n".getBytes(StandardCharsets.UTF_8));
        }
        Path path = flags.path("config_path");
        if (!Files.exists(path) && !flags.isSet("config_path")) {
            try (InputStream in = Daemon.class.getResourceAsStream(DEFAULT_CONFIG)) {
                return loadEmbedded(in.readAllBytes());
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the embedded default config: " + e.getMessage(), e);
            }
        }
        return ConfigLoader.load(path);
    }

    private static OsqueryConfig loadEmbedded(byte[] text) {
        try {
            Path tmp = Files.createTempFile("hostql-default", ".conf");
            try {
                Files.write(tmp, text);
                return ConfigLoader.load(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the embedded config to a temporary file: " + e.getMessage(), e);
        }
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
        AgentInfo.setConfig(config.hash(), true, config.raw());

        // One result logger and one host identifier for the scheduler and the alert rules.
        AgentInfo.setInstanceId(HostIdentifier.instanceId(data));
        hostIdentifier = HostIdentifier.resolve(settings.string("host_identifier"), settings.string("specified_identifier"),
                data, AgentInfo::hostUuid);
        // events.db first: journal recovery counts as lost only what damage took before every subscriber stored it.
        store = EventStore.open(data.resolve("events.db"), EventedTables.all());
        List<Journal.Committed> committed = new ArrayList<>();
        store.positions().forEach((name, p) -> committed.add(new Journal.Committed(name, p.index(), p.captureNanos())));
        journal = Journal.open(data.resolve("journal"), committed);
        remote = remoteClient(settings, data); // before the loggers: the tls logger sends through it
        resultLogger = resultLogger(settings, logs, data); // after the journal: the plugins' loss records go there
        alerts.set(alertEngine(config));
        storageStatus = new StorageStatusFile(data);
        subscribers.add(new LossSubscriber(journal, store));
        boolean events = !settings.bool("disable_events");
        if (events && settings.bool("enable_file_events") && config.subscriberEnabled(FimSubscriber.NAME)) {
            subscribers.add(new FimSubscriber(journal, store, settings.number("read_max")));
            inotify = new InotifyPublisher(config.fileMonitoring(), journal);
            // A tailer more on the file events only where the config gives yara groups to some category (as set at start).
            if (config.subscriberEnabled(YaraEventsSubscriber.NAME) && !config.yara().filePaths().isEmpty()) {
                subscribers.add(new YaraEventsSubscriber(journal, store, () -> config, YaraOptions.of(settings)));
            }
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
        RemoteCall manager = remote; // distributed queries and carving ask through the enrolled client
        startCarver(manager, data);
        TableRegistry registry = registry(settings, daemonState, this::loggerStatus, () -> carves, this::remoteStatus);
        scheduler = new Scheduler(settings, registry, data, store.file(), EventedTables.all(), resultLogger, hostIdentifier);
        scheduler.configure(config);
        scheduler.start();
        startDistributed(manager, registry, data);
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
        maintenance.scheduleWithFixedDelay(Fatal.task("daemon state file", this::writeState), STATE_FILE_SECONDS, STATE_FILE_SECONDS, TimeUnit.SECONDS);
        // The scheduler attached events.db by path: after a rebuild it attaches the new file (as on SIGHUP).
        eventsDbCheck = new EventsDbCheck(store, journal, subscribers, () -> scheduler.configure(config),
                settings.number("events_integrity_check_interval"));
        eventsDbCheck.start();
        if (remote != null && TlsConfig.wanted(settings)) {
            TlsConfig source = new TlsConfig(remote, settings);
            configRefresher = new ConfigRefresher(source, text -> applyRemoteConfig(source.url(), text), settings.number("config_refresh"),
                    settings.number("config_accelerated_refresh"));
            // The manager's config before "started", as osquery; when it cannot be had the cached one runs, and it is retried.
            if (!configRefresher.refreshNow()) {
                log.warn("config over TLS: {} did not give a usable config; running {} and retrying every {} s", source.url(),
                        Files.exists(TlsConfig.cacheFile(data)) ? "the cached one (" + TlsConfig.cacheFile(data) + ")" : "an empty config",
                        settings.number("config_accelerated_refresh"));
            }
            configRefresher.start();
        }
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

    /**
     * Every table the daemon's queries see: the shell's table set over a daemon's state (osquery_events,
     * osquery_schedule, osquery_packs; {@link DaemonState#NONE} in --config_check), hostql_logger_status, carves
     * and hostql_remote_status.
     */
    static TableRegistry registry(Settings settings, DaemonState state, java.util.function.Supplier<List<SinkRunner.Status>> loggers,
            java.util.function.Supplier<Carves> carves, java.util.function.Supplier<List<io.hostql.remote.status.RemoteStatus.Row>> remote) {
        TableRegistry registry = LinuxTables.registry(settings, state);
        registry.add(new LoggerStatusTable(loggers));
        registry.add(new CarvesTable(carves));
        registry.add(new RemoteStatusTable(remote));
        return registry;
    }

    /** This daemon's state, as its osquery_* tables and the state file show it. */
    private final DaemonState daemonState = new DaemonState() {
        @Override
        public List<DaemonState.QueryStatus> schedule() {
            Scheduler s = scheduler;
            return s == null ? List.of() : s.status();
        }

        @Override
        public List<DaemonState.PackStatus> packs() {
            Scheduler s = scheduler;
            return s == null ? List.of() : s.packs();
        }

        @Override
        public List<DaemonState.EventSource> eventSources() {
            return Daemon.this.eventSources();
        }
    };

    /** The state file for a shell on this data dir; a write that fails (a full disk) is tried again at the next pass. */
    private void writeState() {
        try {
            DaemonStateFile.write(settings.path("database_path"), daemonState);
        } catch (java.io.IOException | RuntimeException e) {
            // the shell shows no daemon state meanwhile; nothing the daemon needs depends on the file, so it never stops it
        }
    }

    /** The carves table's carver: collection and upload on a thread of their own (a carve request only queues them). */
    private void startCarver(RemoteCall manager, Path data) {
        carver = Executors.newSingleThreadScheduledExecutor(r -> named(r, "hostql-carver"));
        carves = new Carves(Carves.Options.from(settings), manager, r -> carver.execute(Fatal.task("file carve", r)), data);
    }

    /**
     * Distributed queries: a check-in every --distributed_interval on a thread of their own, the queries on an
     * engine of their own (LiveQueries), never the scheduler's.
     */
    private void startDistributed(RemoteCall manager, TableRegistry registry, Path data) {
        if (settings.bool("disable_distributed")) return;
        DistributedQueries.Options o = DistributedQueries.Options.from(settings);
        String problem = manager == null ? "they need the TLS remote API (--tls_hostname and enrollment)"
                : o.problem(settings.string("distributed_plugin"));
        if (problem != null) {
            log.error("distributed queries are off: {}", problem);
            return;
        }
        liveQueries = new LiveQueries(settings, registry, store.file(), EventedTables.all());
        DistributedQueries queries = new DistributedQueries(o, manager, liveQueries, data);
        distributed = Executors.newSingleThreadScheduledExecutor(r -> named(r, "hostql-distributed"));
        distributed.scheduleWithFixedDelay(Fatal.task("distributed check-in", queries::tick), 0, 1, TimeUnit.SECONDS);
        log.info("distributed queries: checking in every {} s at {}", o.intervalSeconds(), o.readEndpoint());
    }

    private static Thread named(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
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

    /** The client of the manager's TLS remote API when config_plugin or logger_plugin asks for tls; else null. */
    private RemoteClient remoteClient(Settings s, Path data) {
        boolean tlsConfig = TlsConfig.wanted(s);
        boolean tlsLogger = LoggerPlugins.names(s.string("logger_plugin")).contains(TlsLoggerSink.PLUGIN);
        boolean live = !s.bool("disable_distributed") || !s.bool("disable_carver"); // they ask the manager too
        if (!tlsConfig && !tlsLogger && !live) return null;
        RemoteClient c = RemoteClient.create(s, data, hostIdentifier, () -> HostDetails.of(LinuxTables.registry(s)));
        List<String> uses = new ArrayList<>();
        if (tlsConfig) uses.add("config");
        if (tlsLogger) uses.add("logger");
        if (!s.bool("disable_distributed")) uses.add("distributed");
        if (!s.bool("disable_carver")) uses.add("carver");
        log.info("TLS remote API: manager {} ({})", c.transport().hostname(), String.join(", ", uses));
        return c;
    }

    private long tlsPendingLines() {
        for (SinkRunner.Status s : loggerStatus()) if (s.plugin().equals(TlsLoggerSink.PLUGIN)) return s.pending();
        return 0;
    }

    private List<io.hostql.remote.status.RemoteStatus.Row> remoteStatus() {
        RemoteClient c = remote;
        return c == null ? List.of() : c.status().rows();
    }

    /**
     * A config from the manager: written next to the cache, validated as a file config is, applied
     * through the reload path, and only then made the cached config. An unchanged config is left
     * alone; a bad one is refused (one status line) and the running one kept.
     */
    private synchronized boolean applyRemoteConfig(String url, String text) {
        Path cache = TlsConfig.cacheFile(settings.path("database_path"));
        Path next = cache.resolveSibling(TlsConfig.CACHE_FILE + ".new");
        try {
            Files.deleteIfExists(next);
            Files.createFile(next, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(next, text, StandardCharsets.UTF_8);
            OsqueryConfig c;
            try {
                c = ConfigLoader.load(next);
            } catch (RuntimeException e) {
                log.error("config from {} refused, keeping the running config: {}", url, e.getMessage());
                return false;
            }
            if (c.hash().equals(config.hash()) && Files.exists(cache)) return true;
            if (!apply(c, "config from " + url)) return false;
            Files.move(next, cache, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            remote.status().configApplied(c.hash());
            return true;
        } catch (IOException e) {
            log.error("config from {}: cannot write {}: {}; keeping the running config", url, next, e.getMessage());
            return false;
        } finally {
            try {
                Files.deleteIfExists(next);
            } catch (IOException ignored) {
                // the next fetch overwrites it
            }
        }
    }

    private List<SinkRunner.Status> loggerStatus() {
        Delivery d = delivery;
        return d == null ? List.of() : d.status();
    }

    /** osquery_events: the publishers and subscribers running now. */
    private List<DaemonState.EventSource> eventSources() {
        List<DaemonState.EventSource> out = new ArrayList<>();
        InotifyPublisher p = inotify;
        if (p != null) {
            InotifyPublisher.Stats s = p.stats();
            out.add(new DaemonState.EventSource("inotify", "inotify", "publisher", 1, s.eventsPublished(), 0, true,
                    s.losses()));
        }
        for (Subscriber sub : subscribers) {
            Subscriber.Stats s = sub.stats();
            out.add(new DaemonState.EventSource(s.name(), sub instanceof FimSubscriber ? "inotify" : "journal", "subscriber", 1,
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
        OsqueryConfig next;
        try {
            next = loadConfig(flags);
        } catch (RuntimeException e) {
            log.error("config reload refused, keeping the running config: {}", e.getMessage());
            return;
        }
        apply(next, "config reloaded");
    }

    /** Makes next the running config (what: the status line's start); false, said in one line, when it is refused. */
    private synchronized boolean apply(OsqueryConfig next, String what) {
        try {
            for (ConfigError w : next.warnings()) log.warn("config: {}", w);
            AlertEngine nextAlerts = alertEngine(next);
            AlertEngine old = alerts.getAndSet(nextAlerts);
            if (old != null) old.close();
            config = next;
            AgentInfo.setConfig(next.hash(), true, next.raw());
            if (inotify != null) inotify.reconfigure(next.fileMonitoring());
            Settings nextSettings = flags.withOptions(next.options());
            for (String w : nextSettings.warnings()) if (!flags.warnings().contains(w)) log.warn(w); // the options' (flags' were at start)
            if (hardware != null) hardware.disabledTypes(nextSettings.string("hardware_disabled_types"));
            reconfigureAudit(nextSettings, next);
            if (scheduler != null) scheduler.configure(next);
            Delivery d = delivery;
            if (d != null) d.configure(next);
            log.info("{}: {} file_paths categories", what, next.fileMonitoring().filePaths().size());
            return true;
        } catch (RuntimeException e) {
            log.error("{} refused, keeping the running config: {}", what.replace("config reloaded", "config reload"), e.getMessage());
            return false;
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
        if (settings != null) DaemonStateFile.remove(settings.path("database_path"));
        if (configRefresher != null) configRefresher.close();
        if (eventsDbCheck != null) eventsDbCheck.close(); // before the subscribers: a rebuild restarts them
        if (scheduler != null) scheduler.close();
        if (distributed != null) distributed.shutdownNow();
        if (carver != null) carver.shutdownNow();
        if (liveQueries != null) liveQueries.close();
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
