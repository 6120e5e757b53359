package io.hostql.daemon.schedule;

import io.hostql.config.Settings;
import io.hostql.config.flags.LoggerFlags;
import io.hostql.config.flags.ScheduleFlags;
import io.hostql.config.osquery.OsqueryConfig;
import io.hostql.config.osquery.Pack;
import io.hostql.config.osquery.ScheduledQuery;
import io.hostql.loggers.HostIdentifier;
import io.hostql.loggers.LogFormat;
import io.hostql.loggers.QueryLogItem;
import io.hostql.loggers.ResultLines;
import io.hostql.loggers.ResultLogger;
import io.hostql.sql.QueryResult;
import io.hostql.sql.table.RowCache;
import io.hostql.sql.table.TableRegistry;
import io.hostql.sql.table.TableSchema;
import io.hostql.tables.self.DaemonState.PackStatus;
import io.hostql.tables.self.DaemonState.QueryStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * osquery's scheduler: each applicable query of the schedule and the active packs runs when the
 * Unix time is a multiple of its splayed interval, one query at a time on the scheduler's thread.
 * Results are logged as differentials against the previous run (persisted), as snapshots, or, for
 * queries on evented tables, as the events since the query's previous run. A query that fails
 * repeatedly, or that the {@link Watchdog} stops, is denylisted for a while.
 *
 * <p>Every second is ticked once: a failed run, or a failed tick, counts as that second's run and is
 * not repeated (a retry at the next second would log the same run again, with the same unixTime).
 * Storage faults (disk full, read-only, I/O errors) never stop the thread. Result lines that
 * cannot be written are dropped and counted (until the outbox of issue 11 keeps them), and the
 * query's state is not advanced, so a differential or event query logs those changes with its next
 * run that can be written; a snapshot run's lines are lost. The schedule state waits in memory
 * ({@link ScheduleState}). Each fault is one status line when it starts and one when it ends.
 */
public final class Scheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

    private final Settings settings;
    private final TableRegistry registry;
    private final Path eventsDb;
    private final List<TableSchema> evented;
    private final ResultLogger logger;
    private final String hostIdentifier;
    private final String hostname = HostIdentifier.hostname();
    private final ScheduleState state;
    private final Watchdog watchdog;
    private final LogFormat format;
    private final Thread thread;
    private final WriteFault resultFault = new WriteFault("result lines",
            "result lines are dropped and counted (the query's state stays, so a differential or event query logs the changes with"
                    + " its next written run; a snapshot run's lines are lost)");

    private volatile OsqueryConfig pending;
    private volatile boolean closed;
    private QueryEngine engine, planner;
    private OsqueryConfig config;
    private volatile List<ActiveQuery> active = List.of();
    private volatile List<PackStatus> packs = List.of();
    private final Map<String, QueryStats> stats = new ConcurrentHashMap<>();
    /** Each query's persisted state as last saved (the scheduler thread's copy, so a run reads no JSON back). */
    private final Map<String, ScheduleState.Saved> savedState = new HashMap<>();
    private final Map<String, Long> denylisted = new ConcurrentHashMap<>();
    private final Map<String, Long> discoveryExecutions = new HashMap<>(), discoveryHits = new HashMap<>();
    private final Map<String, Boolean> discoveryResult = new HashMap<>();
    private long discoveredAt;
    private Map<String, String> loadDecorations = Map.of();
    private final Map<Long, Map<String, String>> intervalDecorations = new LinkedHashMap<>();

    public Scheduler(Settings settings, TableRegistry registry, Path dataDir, Path eventsDb, List<TableSchema> evented,
            ResultLogger logger, String hostIdentifier) {
        this.settings = settings;
        this.registry = registry;
        this.eventsDb = eventsDb;
        this.evented = evented;
        this.logger = logger;
        this.hostIdentifier = hostIdentifier;
        this.state = new ScheduleState(dataDir.resolve("schedule.db"));
        this.watchdog = Watchdog.of(settings);
        this.format = new LogFormat(settings.get(LoggerFlags.LOGGER_NUMERICS), settings.get(LoggerFlags.DECORATIONS_TOP_LEVEL),
                settings.get(LoggerFlags.LOGGER_EVENT_TYPE), settings.get(LoggerFlags.LOGGER_SNAPSHOT_EVENT_TYPE));
        this.thread = new Thread(this::loop, "hostql-scheduler");
        this.thread.setDaemon(true);
        denylistCrashedQuery();
        state.commit();
        denylisted.putAll(state.denylisted());
    }

    private ScheduleState.Saved saved(String name) {
        return savedState.computeIfAbsent(name, state::load);
    }

    private void save(String name, ScheduleState.Saved s) {
        state.save(name, s);
        savedState.put(name, s);
    }

    /** osquery's kExecutingQuery: a query that was running when the daemon died (OOM kill, crash) is denylisted. */
    private void denylistCrashedQuery() {
        String crashed = state.executing();
        if (crashed == null) return;
        state.setExecuting(null);
        if (!watchdog.limits().enabled()) return;
        long until = now() + settings.get(ScheduleFlags.SCHEDULE_DENYLIST_DURATION);
        ScheduleState.Saved s = saved(crashed);
        save(crashed, new ScheduleState.Saved(s.sql(), s.epoch(), s.counter(), s.results(), s.hasResults(), s.interval(),
                s.splayed(), s.lastRun(), s.windowEnds(), until, "the daemon stopped while it was running"));
        log.error("scheduled query {} was running when hostqld last stopped abnormally; denylisted for {} s", crashed,
                settings.get(ScheduleFlags.SCHEDULE_DENYLIST_DURATION));
    }

    /** A new config (at start and on SIGHUP), applied by the scheduler thread at its next tick. */
    public void configure(OsqueryConfig c) {
        pending = c;
        LockSupport.unpark(thread);
    }

    public void start() {
        thread.start();
    }

    public List<QueryStatus> status() {
        long now = now();
        List<QueryStatus> out = new ArrayList<>();
        for (ActiveQuery a : active) {
            QueryStats s = stats.getOrDefault(a.name(), new QueryStats());
            Long until = denylisted.get(a.name());
            out.add(new QueryStatus(a.name(), a.query().sql(), a.interval(), s.executions, s.lastExecuted, until != null && until > now,
                    s.outputSize, s.wallTimeMs, s.lastWallTimeMs, s.userTimeMs, s.lastUserTimeMs, s.systemTimeMs, s.lastSystemTimeMs,
                    s.averageMemory(), s.lastMemory, a.packName()));
        }
        return out;
    }

    public List<PackStatus> packs() {
        return packs;
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    private long tickFailures;
    private String tickFailure;

    private void loop() {
        long last = now() - 1;
        while (!closed) {
            long woke = sleepUntilDue(last);
            if (woke < 0) return;
            // The seconds slept through had nothing due (a config that came meanwhile applies from the second it woke at,
            // as it did at a tick); seconds after it that a stall made it miss are caught up below.
            last = Math.max(last, woke - 1);
            try {
                if (pending != null) {
                    OsqueryConfig c = pending;
                    pending = null;
                    apply(c);
                }
            } catch (RuntimeException e) {
                log.error("scheduler: applying the config failed: {}", e.toString());
                log.debug("scheduler: applying the config failed", e);
            }
            long now = now();
            // Catch up seconds missed by a stall, as osquery, within schedule_max_drift.
            long from = Math.max(last + 1, now - settings.get(ScheduleFlags.SCHEDULE_MAX_DRIFT));
            for (long t = from; t <= now && !closed; t++) {
                last = t; // ticked once, failed or not: a failure is not retried within the query's interval
                try {
                    tick(t);
                    if (tickFailures > 0) log.info("scheduler ticks work again after {} failed ticks", tickFailures);
                    tickFailures = 0;
                    tickFailure = null;
                } catch (RuntimeException e) {
                    // An Error is not caught: the thread dies and hostqld exits to be restarted (io.hostql.daemon.Fatal).
                    tickFailures++;
                    // The same failure tick after tick is one line (then DEBUG), not one a second.
                    if (!e.toString().equals(tickFailure)) log.error("scheduler tick {} failed: {}", t, e.toString());
                    tickFailure = e.toString();
                    log.debug("scheduler tick {} failed", t, e);
                }
            }
        }
    }

    /**
     * Sleeps until the next second at which a query or the packs' refresh is due, or, when a new config is pending,
     * until the next second's start; that second, or -1 when the scheduler is closed. Waking every second for nothing
     * was an idle daemon's cost; a wake-up at least every {@link #LONGEST_SLEEP_MILLIS} notices a wall clock that jumped.
     */
    private long sleepUntilDue(long last) {
        long configAt = -1; // the second a pending config is applied at, fixed when it is first seen
        while (!closed) {
            if (configAt < 0 && pending != null) configAt = now() + 1;
            long target = configAt < 0 ? nextDue(last) : Math.min(configAt, nextDue(last));
            long left = target * 1000 - System.currentTimeMillis();
            if (left <= 0) return target;
            LockSupport.parkNanos(this, Math.min(left, LONGEST_SLEEP_MILLIS) * 1_000_000L);
            Thread.interrupted(); // close() interrupts: closed says so; any other interrupt is no reason to stop scheduling
        }
        return -1;
    }

    private static final long LONGEST_SLEEP_MILLIS = 10_000;

    /** The first second after {@code last} at which a query or the packs' refresh is due (an hour ahead at most). */
    private long nextDue(long last) {
        long due = Math.max(last, now()) + 3600;
        if (config == null) return due;
        due = Math.min(due, Math.max(last + 1, discoveredAt + settings.get(ScheduleFlags.PACK_REFRESH_INTERVAL)));
        for (ActiveQuery a : active) due = Math.min(due, a.dueAfter(last));
        return due;
    }

    private void apply(OsqueryConfig c) {
        QueryEngine nextEngine = QueryEngine.windowed(registry, eventsDb, evented, c.views());
        QueryEngine nextPlanner = QueryEngine.raw(registry, evented);
        for (Map.Entry<String, String> v : c.views().entrySet()) {
            try {
                nextPlanner.addView(v.getKey(), v.getValue());
            } catch (RuntimeException ignored) {
                // reported by the windowed engine
            }
        }
        if (engine != null) engine.close();
        if (planner != null) planner.close();
        engine = nextEngine;
        planner = nextPlanner;
        watchdog.watch(engine);
        config = c;
        discoveryResult.clear();
        discoveredAt = 0;
        refreshPacks();
        loadDecorations = settings.get(ScheduleFlags.DISABLE_DECORATORS) ? Map.of() : decorate(c.decorators().load());
        intervalDecorations.clear();
        log.info("schedule: {} queries active in {} packs", active.size(), packs.stream().filter(PackStatus::active).count());
    }

    /** Re-evaluates which packs apply (platform, version, shard, discovery) and the queries they schedule. */
    private void refreshPacks() {
        long now = now();
        boolean rediscover = now - discoveredAt >= settings.get(ScheduleFlags.PACK_REFRESH_INTERVAL);
        if (rediscover) discoveredAt = now;
        String delim = settings.get(ScheduleFlags.PACK_DELIMITER);
        List<ActiveQuery> queries = new ArrayList<>();
        List<PackStatus> packList = new ArrayList<>();
        for (Pack p : config.packs()) {
            boolean applies = Applicability.platform(p.platform()) && Applicability.version(p.version())
                    && Applicability.shard(p.shard(), hostname);
            boolean found = applies && discovered(p, rediscover);
            packList.add(new PackStatus(p.name(), p.platform(), p.version(), p.shard(), discoveryHits.getOrDefault(p.name(), 0L),
                    discoveryExecutions.getOrDefault(p.name(), 0L), found));
            if (!found) continue;
            for (ScheduledQuery q : p.queries()) {
                if (!Applicability.platform(q.platform()) || !Applicability.version(q.version()) || !Applicability.shard(q.shard(), hostname)) continue;
                queries.add(activate(q, q.name(delim), p.name()));
            }
        }
        active = List.copyOf(queries);
        packs = List.copyOf(packList);
    }

    private boolean discovered(Pack p, boolean rediscover) {
        if (p.discovery().isEmpty()) return true;
        Boolean cached = discoveryResult.get(p.name());
        if (cached != null && !rediscover) {
            discoveryHits.merge(p.name(), 1L, Long::sum);
            return cached;
        }
        boolean ok = true;
        for (String sql : p.discovery()) {
            discoveryExecutions.merge(p.name(), 1L, Long::sum);
            try {
                if (engine.run(sql, QueryEngine.Window.ALL).rows().isEmpty()) {
                    log.info("pack {} is not active: its discovery query returned no row: {}", p.name(), sql);
                    ok = false;
                    break;
                }
            } catch (RuntimeException e) {
                log.warn("pack {} is not active: its discovery query failed: {}: {}", p.name(), sql, e.getMessage());
                ok = false;
                break;
            }
        }
        discoveryResult.put(p.name(), ok);
        return ok;
    }

    private ActiveQuery activate(ScheduledQuery q, String name, String pack) {
        long interval = q.interval() > 0 ? q.interval() : settings.get(ScheduleFlags.SCHEDULE_DEFAULT_INTERVAL);
        ScheduleState.Saved s = saved(name);
        long splayed = s.interval() == interval && s.splayed() > 0 ? s.splayed() : splay(interval);
        if (splayed != s.splayed() || s.interval() != interval) {
            save(name, new ScheduleState.Saved(s.sql(), s.epoch(), s.counter(), s.results(), s.hasResults(), interval, splayed,
                    s.lastRun(), s.windowEnds(), s.denylistedUntil(), s.denylistReason()));
        }
        QueryEngine.Plan plan;
        try {
            plan = planner.plan(q.sql());
        } catch (RuntimeException e) {
            plan = new QueryEngine.Plan(java.util.Set.of(), false); // it fails when it runs, and is counted then
        }
        return new ActiveQuery(q, name, interval, splayed, plan, pack);
    }

    /** osquery's splayValue: a random interval within +-schedule_splay_percent (declared 1..100), at least 1. */
    private long splay(long interval) {
        long percent = settings.get(ScheduleFlags.SCHEDULE_SPLAY_PERCENT);
        long diff = (long) (interval * (percent / 100.0));
        long min = Math.max(1, interval - diff), max = interval + diff;
        return min >= max ? max : ThreadLocalRandom.current().nextLong(min, max + 1);
    }

    private void tick(long t) {
        if (config == null) return;
        boolean refresh = t - discoveredAt >= settings.get(ScheduleFlags.PACK_REFRESH_INTERVAL);
        if (!refresh && active.stream().noneMatch(a -> a.dueAt(t))) return; // a second caught up with nothing due
        if (refresh) refreshPacks();
        Map<String, String> ends = null;
        // The queries of one tick share what the tables generate (same second, same rows).
        try (RowCache.Scope shared = RowCache.open()) {
            for (ActiveQuery a : active) {
                if (closed) return;
                if (!a.dueAt(t)) continue;
                if (a.plan().windowed() && ends == null) ends = engine.newestEids();
                run(a, t, ends);
            }
        } finally {
            state.commit(); // the tick's state writes, at once
        }
    }

    private Map<String, String> decorations(long t) {
        if (settings.get(ScheduleFlags.DISABLE_DECORATORS) || config.decorators().isEmpty()) return Map.of();
        Map<String, String> out = new LinkedHashMap<>(loadDecorations);
        for (Map.Entry<Long, List<String>> e : config.decorators().interval().entrySet()) {
            if (t % e.getKey() == 0 || !intervalDecorations.containsKey(e.getKey())) intervalDecorations.put(e.getKey(), decorate(e.getValue()));
            out.putAll(intervalDecorations.get(e.getKey()));
        }
        out.putAll(decorate(config.decorators().always()));
        return out;
    }

    /** Each decorator query's first row, every column as text. */
    private Map<String, String> decorate(List<String> queries) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String sql : queries) {
            try {
                QueryResult r = engine.run(sql, QueryEngine.Window.ALL);
                if (r.rows().isEmpty()) continue;
                Object[] row = r.rows().get(0);
                for (int i = 0; i < row.length; i++) out.put(r.columns().get(i), QueryResult.text(row[i], ""));
            } catch (RuntimeException e) {
                log.warn("decorator query failed: {}: {}", sql, e.getMessage());
            }
        }
        return out;
    }

    private void run(ActiveQuery a, long t, Map<String, String> ends) {
        String name = a.name();
        Long until = denylisted.get(name);
        if (until != null) {
            if (until > t) return;
            denylisted.remove(name);
            log.info("scheduled query {} is no longer denylisted", name);
        }
        ScheduledQuery q = a.query();
        ScheduleState.Saved saved = saved(name);
        Map<String, String> decorations = decorations(t);
        QueryEngine.Window window = a.plan().windowed()
                ? new QueryEngine.Window(saved.windowEnds(), ends, saved.lastRun(), t)
                : new QueryEngine.Window(Map.of(), Map.of(), saved.lastRun(), t);
        QueryStats st = stats.computeIfAbsent(name, n -> new QueryStats());
        state.setExecuting(name);
        RunCost cost = RunCost.start();
        QueryResult result = null;
        String failure = null;
        watchdog.begin();
        try {
            result = engine.run(q.sql(), window);
        } catch (RuntimeException | OutOfMemoryError e) {
            failure = e.getMessage() == null ? e.toString() : e.getMessage();
            log.debug("scheduled query {} failed", name, e); // the stack trace, with --verbose only
        }
        String stopped = watchdog.end();
        RunCost.Measured m = cost.end();
        long wallMs = m.wallMs(), userMs = m.userMs(), sysMs = m.systemMs(), memory = m.memoryBytes();
        st.executions++;
        st.lastExecuted = t;
        st.wallTimeMs += wallMs;
        st.lastWallTimeMs = wallMs;
        st.userTimeMs += userMs;
        st.lastUserTimeMs = userMs;
        st.systemTimeMs += sysMs;
        st.lastSystemTimeMs = sysMs;
        st.totalMemory += memory;
        st.lastMemory = memory;
        try {
            if (stopped != null) {
                log.error("scheduled query {} stopped by the watchdog: {}", name, stopped);
                denylist(a, saved, "stopped by the watchdog: " + stopped);
            } else if (failure != null || result == null) {
                // One status line per failed run, without a stack trace: the denylisting one when this failure denylists it.
                st.consecutiveFailures++;
                st.lastError = failure;
                if (st.consecutiveFailures >= settings.get(ScheduleFlags.SCHEDULE_DENYLIST_FAILURES) && q.denylist()) {
                    denylist(a, saved, "failed " + st.consecutiveFailures + " times in a row: " + failure);
                    st.consecutiveFailures = 0;
                } else {
                    log.warn("scheduled query {} failed ({} in a row): {}", name, st.consecutiveFailures, failure);
                }
            } else {
                st.consecutiveFailures = 0;
                st.outputSize += logResults(a, saved, result, decorations, t, window);
            }
        } finally {
            state.setExecuting(null);
        }
    }

    private void denylist(ActiveQuery a, ScheduleState.Saved s, String reason) {
        if (!a.query().denylist()) {
            log.warn("scheduled query {} is not denylisted: its config says \"denylist\": false", a.name());
            return;
        }
        long until = now() + settings.get(ScheduleFlags.SCHEDULE_DENYLIST_DURATION);
        denylisted.put(a.name(), until);
        save(a.name(), new ScheduleState.Saved(s.sql(), s.epoch(), s.counter(), s.results(), s.hasResults(), s.interval(),
                s.splayed(), s.lastRun(), s.windowEnds(), until, reason));
        log.error("scheduled query {} is denylisted for {} s: {}", a.name(), settings.get(ScheduleFlags.SCHEDULE_DENYLIST_DURATION), reason);
    }

    /** Logs the run's lines and saves its state (lines first: a crash in between repeats lines, never loses them). */
    private long logResults(ActiveQuery a, ScheduleState.Saved saved, QueryResult result, Map<String, String> decorations, long t,
            QueryEngine.Window window) {
        ScheduledQuery q = a.query();
        List<Map<String, Object>> rows = Differential.rows(result);
        long epoch = settings.get(ScheduleFlags.SCHEDULE_EPOCH);
        List<String> lines;
        long counter;
        List<String> keep = List.of();
        boolean hasResults = false;
        if (q.snapshot()) {
            counter = 0;
            lines = ResultLines.snapshot(new QueryLogItem(a.name(), hostIdentifier, t, epoch, counter, decorations), format, rows);
            if (!written(lines, logger::logSnapshots)) return 0;
        } else {
            List<Map<String, Object>> added, removed;
            boolean fresh = !saved.hasResults() || saved.epoch() != epoch || !saved.sql().equals(q.sql());
            if (saved.hasResults() && !saved.sql().equals(q.sql())) log.info("scheduled query {} has been updated", a.name());
            if (a.plan().windowed()) {
                // Event queries: every row in the window is new ("added"), as osquery's events_optimize; counting starts at 1.
                added = rows;
                removed = List.of();
                counter = (fresh ? 0 : saved.counter()) + (rows.isEmpty() ? 0 : 1);
            } else {
                List<String> canonical = new ArrayList<>(rows.size());
                for (Map<String, Object> r : rows) canonical.add(Differential.canonical(r));
                Differential.Diff d = Differential.diff(fresh ? List.of() : saved.results(), rows, canonical);
                added = d.added();
                removed = q.removed() ? d.removed() : List.of();
                counter = fresh ? 0 : saved.counter() + (d.isEmpty() ? 0 : 1);
                keep = canonical;
            }
            hasResults = true;
            lines = ResultLines.differential(new QueryLogItem(a.name(), hostIdentifier, t, epoch, counter, decorations), format, added, removed);
            if (!written(lines, logger::logResults)) return 0; // the state stays: the next run logs these changes
        }
        boolean unchanged = !a.plan().windowed() && saved.sql().equals(q.sql()) && saved.epoch() == epoch && saved.denylistedUntil() == 0
                && (q.snapshot() ? !saved.hasResults() : saved.hasResults() && counter == saved.counter());
        if (unchanged) {
            // Same rows as last time: only the run time moves; the stored results stay as they are.
            state.touch(a.name(), t);
            savedState.put(a.name(), new ScheduleState.Saved(saved.sql(), saved.epoch(), saved.counter(), saved.results(), saved.hasResults(),
                    saved.interval(), saved.splayed(), t, saved.windowEnds(), 0, ""));
        } else {
            save(a.name(), new ScheduleState.Saved(q.sql(), epoch, counter, keep, hasResults && !q.snapshot(), a.interval(), a.splayed(),
                    t, window.end().isEmpty() ? saved.windowEnds() : window.end(), 0, ""));
        }
        long size = 0;
        for (String l : lines) size += l.length() + 1;
        return size;
    }

    /** Writes a run's lines; false (counted, one status line per fault) when the result log cannot take them. */
    private boolean written(List<String> lines, java.util.function.Consumer<List<String>> write) {
        if (settings.get(LoggerFlags.DISABLE_LOGGING) || lines.isEmpty()) return true;
        try {
            write.accept(lines);
        } catch (RuntimeException e) {
            resultFault.failed(e, lines.size());
            return false;
        }
        resultFault.succeeded();
        return true;
    }

    /** The engine scheduled queries run on (and the watchdog watches): for tests and the shell's view of the daemon. */
    QueryEngine engine() {
        return engine;
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        QueryEngine e = engine;
        if (e != null) e.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        watchdog.close();
        if (engine != null) engine.close();
        if (planner != null) planner.close();
        state.close();
    }
}
