package io.hostql.daemon;

import io.hostql.config.Settings;
import io.hostql.config.flags.DaemonFlags;
import io.hostql.config.flags.EventFlags;
import io.hostql.config.flags.LoggerFlags;
import io.hostql.config.flags.RemoteFlags;
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
import io.hostql.subscribers.LossSubscriber;
import io.hostql.subscribers.Subscriber;
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
    /**
     * The status files' pass, every 2 s: the storage check (it was every half second; a page hostqld wrote faults on an
     * immutable file only once writeback cleaned it, 5 s and more later) and the state file, written when it changed (so
     * hostqlctl status shows a lag within 2 s), else refreshed every 30 s. One wake-up costs a VM 0.3-0.5 ms of CPU here,
     * each pass about 1 ms, the largest part of an idle daemon's cost.
     */
    private static final long STATUS_PASS_MILLIS = 2000;

    private final Settings flags;
    private Settings settings;
    private OsqueryConfig config;
    private volatile InstanceLock lock;
    private Journal journal;
    private EventStore store;
    /** The publishers and subscribers {@link EventSources} registers that the flags and config enable. */
    private volatile EventWiring events;
    private final List<Subscriber> subscribers = new ArrayList<>();
    private ScheduledExecutorService maintenance;
    /** The files hostqlctl status reads, written on a thread of their own (see {@link #start}). */
    private ScheduledExecutorService statusFiles;
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
            Path cache = TlsConfig.cacheFile(flags.get(DaemonFlags.DATABASE_PATH));
            if (!TlsConfig.backup(flags)) {
                try {
                    if (Files.deleteIfExists(cache)) log.info("--config_enable_backup=false: removed the manager's cached config {}", cache);
                } catch (IOException e) {
                    log.warn("--config_enable_backup=false: cannot remove the manager's cached config {}: {}", cache, e.getMessage());
                }
            } else if (Files.exists(cache)) {
                return ConfigLoader.load(cache);
            }
            return loadEmbedded("{}\n".getBytes(StandardCharsets.UTF_8));
        }
        Path path = flags.get(DaemonFlags.CONFIG_PATH);
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
        Path data = settings.get(DaemonFlags.DATABASE_PATH);
        Path logs = settings.get(LoggerFlags.LOGGER_PATH);
        createPrivateDir(data);
        if (!Files.isDirectory(logs)) FileModes.set(Files.createDirectories(logs), FileModes.LOG_DIR);
        LoggerPlugins.names(settings.get(LoggerFlags.LOGGER_PLUGIN)); // a bad plugin name stops the start before anything runs
        statusForwarder = StatusLog.configure(logs, settings.get(DaemonFlags.VERBOSE), settings.get(LoggerFlags.STATUS_LOG_JSON));
        lock = InstanceLock.acquire(data, settings.get(DaemonFlags.PIDFILE));
        String immutable = ImmutableDataDir.problem(data);
        if (immutable != null) throw new IllegalStateException(immutable);
        log.info("hostqld starting: pid {}, database_path {}, config {}", ProcessHandle.current().pid(), data,
                Files.exists(settings.get(DaemonFlags.CONFIG_PATH)) ? settings.get(DaemonFlags.CONFIG_PATH) : "embedded default");
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
        hostIdentifier = HostIdentifier.resolve(settings.get(DaemonFlags.HOST_IDENTIFIER), settings.get(DaemonFlags.SPECIFIED_IDENTIFIER),
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
        events = EventWiring.create(EventSources.all(), eventContext(settings, config), subscribers);
        long rebuiltUntil = store.rebuilding() ? journal.lastIndex() : -1; // events.db rebuilt at open: alerts were raised before
        for (Subscriber s : subscribers) {
            s.addListener(this::onCommitted);
            s.replayQuietlyUntil(rebuiltUntil);
            s.start();
        }
        events.start();
        if (settings.get(EventFlags.DISABLE_EVENTS)) log.info("events are disabled (--disable_events)");
        RemoteCall manager = remote; // distributed queries and carving ask through the enrolled client
        startCarver(manager, data);
        TableRegistry registry = registry(settings, daemonState, this::loggerStatus, () -> carves, this::remoteStatus);
        scheduler = new Scheduler(settings, registry, data, store.file(), EventedTables.all(), resultLogger, hostIdentifier);
        scheduler.configure(config);
        scheduler.start();
        startDistributed(manager, registry, data);
        maintenance = Executors.newSingleThreadScheduledExecutor(r -> named(r, "hostql-retention"));
        long every = Math.max(1, settings.get(EventFlags.EVENTS_RETENTION_INTERVAL));
        // Each task through Fatal.task: an executor swallows what a task throws, and a swallowed Error is a silent stop.
        maintenance.scheduleWithFixedDelay(Fatal.task("retention pass", this::retention), every, every, TimeUnit.SECONDS);
        if (events.publisher(AuditPublisher.class) != null) maintenance.scheduleWithFixedDelay(Fatal.task("audit status update", this::auditStatus), 0, AUDIT_STATUS_SECONDS, TimeUnit.SECONDS);
        // The retention pass and the audit status wait on events.db (the store's lock, then SQLite's busy wait): a stalled
        // events.db would stall the files that report the stall too. These writers read no events.db, only counters.
        stateFile = new DaemonStateFile.Writer(data);
        immutableCheck = new ImmutableDataDir(data);
        statusFiles = Executors.newSingleThreadScheduledExecutor(r -> named(r, "hostql-status-files"));
        statusFiles.scheduleWithFixedDelay(Fatal.task("storage check and state file", () -> {
            storageCheck();
            writeState();
        }), 0, STATUS_PASS_MILLIS, TimeUnit.MILLISECONDS);
        // The scheduler attached events.db by path: after a rebuild it attaches the new file (as on SIGHUP).
        eventsDbCheck = new EventsDbCheck(store, journal, subscribers, () -> scheduler.configure(config),
                settings.get(EventFlags.EVENTS_INTEGRITY_CHECK_INTERVAL));
        eventsDbCheck.start();
        if (remote != null && TlsConfig.wanted(settings)) {
            TlsConfig source = new TlsConfig(remote, settings);
            configRefresher = new ConfigRefresher(source, text -> applyRemoteConfig(source.url(), text), TlsConfig.refreshSeconds(settings),
                    settings.get(RemoteFlags.CONFIG_ACCELERATED_REFRESH));
            // The manager's config before "started", as osquery; when it cannot be had the cached one runs, and it is retried.
            if (!configRefresher.refreshNow()) {
                log.warn("config over TLS: {} did not give a usable config; running {} and retrying every {} s", source.url(),
                        Files.exists(TlsConfig.cacheFile(data)) ? "the cached one (" + TlsConfig.cacheFile(data) + ")" : "an empty config",
                        settings.get(RemoteFlags.CONFIG_ACCELERATED_REFRESH));
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
        LogFormat format = new LogFormat(settings.get(LoggerFlags.LOGGER_NUMERICS), settings.get(LoggerFlags.DECORATIONS_TOP_LEVEL), true,
                settings.get(LoggerFlags.LOGGER_SNAPSHOT_EVENT_TYPE));
        AlertEngine engine = new AlertEngine(rules, EventedTables.all(), resultLogger, () -> hostIdentifier, format);
        log.info("alert rules: {}", String.join(", ", rules.stream().map(AlertRule::name).toList()));
        return engine;
    }

    private void onCommitted(io.hostql.sql.table.TableSchema table, List<Object[]> rows) {
        AlertEngine e = alerts.get();
        if (e != null) e.committed(table, rows);
    }

    /** What the event sources' factories see: these settings and config, with the running journal, store and data dir. */
    private EventSources.Context eventContext(Settings s, OsqueryConfig c) {
        return new EventSources.Context(s, c, journal, store, settings.get(DaemonFlags.DATABASE_PATH));
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

        @Override
        public DaemonState.JournalState journal() {
            return Daemon.this.journalState();
        }
    };

    /** The journal's head and each subscriber's lag behind it: from the positions they acknowledged, never waiting on events.db. */
    private DaemonState.JournalState journalState() {
        Journal j = journal;
        if (j == null) return null;
        io.hostql.events.JournalLag lag = j.lag();
        List<DaemonState.SubscriberLag> subs = lag.consumers().stream()
                .map(c -> new DaemonState.SubscriberLag(c.name(), c.index(), c.records(), c.seconds())).toList();
        return new DaemonState.JournalState(lag.headIndex(), lag.headCaptureNanos() / 1_000_000_000L, subs);
    }

    /** The last failure to write the state file, said once (read and written on the status files' thread). */
    private String lastStateFileError;

    /** The storage check's look at the data dir's flags (on the status files' thread). */
    private ImmutableDataDir immutableCheck;
    /** The state file's writer (on the status files' thread): it writes a state that changed, and refreshes an unchanged one. */
    private DaemonStateFile.Writer stateFile;

    /** The state file for a shell on this data dir; a write that fails (a full disk) is tried again at the next pass. */
    private void writeState() {
        try {
            stateFile.write(daemonState);
        } catch (java.io.IOException | RuntimeException e) {
            // the shell and hostqlctl show no fresh state meanwhile; nothing the daemon needs depends on the file, so it
            // never stops it; said once per kind of failure, not at every pass
            String why = e.toString();
            if (!why.equals(lastStateFileError)) log.warn("the daemon state file {} could not be written: {}", DaemonStateFile.NAME, why);
            lastStateFileError = why;
            return;
        }
        lastStateFileError = null;
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
        if (settings.get(RemoteFlags.DISABLE_DISTRIBUTED)) return;
        DistributedQueries.Options o = DistributedQueries.Options.from(settings);
        String problem = manager == null ? "they need the TLS remote API (--tls_hostname and enrollment)"
                : o.problem(settings.get(RemoteFlags.DISTRIBUTED_PLUGIN));
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
        ResultLogger filesystem = plan.filesystem() ? new FilesystemLogger(logs, settings.get(LoggerFlags.LOGGER_MODE),
                settings.get(LoggerFlags.LOGGER_ROTATE) ? settings.get(LoggerFlags.LOGGER_ROTATE_SIZE) : 0,
                (int) settings.get(LoggerFlags.LOGGER_ROTATE_MAX_FILES)) : null;
        delivery = Delivery.start(filesystem, plan.sinks(), data.resolve("outbox"), journal, LoggerPlugins.limits(settings));
        delivery.configure(config);
        statusForwarder.attach(delivery, (int) settings.get(LoggerFlags.LOGGER_MIN_STATUS), hostIdentifier);
        if (!plan.sinks().isEmpty()) {
            log.info("logger plugins: {}", String.join(", ", LoggerPlugins.names(settings.get(LoggerFlags.LOGGER_PLUGIN))));
        }
        return delivery;
    }

    /** The client of the manager's TLS remote API when config_plugin or logger_plugin asks for tls; else null. */
    private RemoteClient remoteClient(Settings s, Path data) {
        boolean tlsConfig = TlsConfig.wanted(s);
        boolean tlsLogger = LoggerPlugins.names(s.get(LoggerFlags.LOGGER_PLUGIN)).contains(TlsLoggerSink.PLUGIN);
        boolean live = !s.get(RemoteFlags.DISABLE_DISTRIBUTED) || !s.get(RemoteFlags.DISABLE_CARVER); // they ask the manager too
        if (!tlsConfig && !tlsLogger && !live) return null;
        RemoteClient c = RemoteClient.create(s, data, hostIdentifier, () -> HostDetails.of(LinuxTables.registry(s)));
        List<String> uses = new ArrayList<>();
        if (tlsConfig) uses.add("config");
        if (tlsLogger) uses.add("logger");
        if (!s.get(RemoteFlags.DISABLE_DISTRIBUTED)) uses.add("distributed");
        if (!s.get(RemoteFlags.DISABLE_CARVER)) uses.add("carver");
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
        Path cache = TlsConfig.cacheFile(settings.get(DaemonFlags.DATABASE_PATH));
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
            boolean backup = TlsConfig.backup(settings);
            if (c.hash().equals(config.hash()) && (!backup || Files.exists(cache))) return true;
            if (!apply(c, "config from " + url)) return false;
            if (backup) Files.move(next, cache, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
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
        EventWiring e = events;
        return e == null ? List.of() : e.eventSources(subscribers);
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
        // syslog_events has limits of its own, as in osquery (a month and 100000 rows by default).
        store.applyRetention(new EventStore.Limits(settings.get(EventFlags.EVENTS_EXPIRY), settings.get(EventFlags.EVENTS_MAX)),
                java.util.Map.of(EventedTables.SYSLOG_EVENTS.name(),
                        new EventStore.Limits(settings.get(EventFlags.SYSLOG_EVENTS_EXPIRY), settings.get(EventFlags.SYSLOG_EVENTS_MAX))),
                settings.get(EventFlags.EVENTS_MAX_BYTES));
        journal.applyRetention(settings.get(EventFlags.JOURNAL_EXPIRY) * 1000, settings.get(EventFlags.JOURNAL_MAX_BYTES));
        Delivery d = delivery;
        if (d != null) d.retention();
    }

    /**
     * Every 2 s: a data dir made immutable stops hostqld (see {@link ImmutableDataDir}); a degraded
     * journal is rechecked, so that it resumes and writes its loss record even when no event comes; and the
     * state goes to the status file for hostqlctl status.
     */
    private void storageCheck() {
        String immutable = immutableCheck.problem();
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
        EventWiring wiring = events;
        AuditPublisher a = wiring == null ? null : wiring.publisher(AuditPublisher.class);
        if (a == null) return;
        try {
            AuditPublisher.Stats s = a.stats();
            store.replace(AuditStatusRow.of(s, System.currentTimeMillis() / 1000));
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
            Settings nextSettings = flags.withOptions(next.options());
            for (String w : nextSettings.warnings()) if (!flags.warnings().contains(w)) log.warn(w); // the options' (flags' were at start)
            for (String w : nextSettings.restartNeeded(settings)) log.warn(w); // options declared at restart: said, not ignored
            EventWiring e = events;
            if (e != null) e.reload(eventContext(nextSettings, next));
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
        if (statusFiles != null) {
            statusFiles.shutdownNow();
            try { // a pass under way would write the state file again after its removal below
                statusFiles.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (settings != null) DaemonStateFile.remove(settings.get(DaemonFlags.DATABASE_PATH));
        if (configRefresher != null) configRefresher.close();
        if (eventsDbCheck != null) eventsDbCheck.close(); // before the subscribers: a rebuild restarts them
        if (scheduler != null) scheduler.close();
        if (distributed != null) distributed.shutdownNow();
        if (carver != null) carver.shutdownNow();
        if (liveQueries != null) liveQueries.close();
        if (events != null) {
            events.close();
            auditStatus(); // the audit publisher's last counters
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
