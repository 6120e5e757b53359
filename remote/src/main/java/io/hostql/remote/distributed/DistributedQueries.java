package io.hostql.remote.distributed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hostql.config.Settings;
import io.hostql.config.flags.RemoteFlags;
import io.hostql.remote.Attempts;
import io.hostql.remote.RemoteCall;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * osquery's distributed (live) queries over the TLS remote API (reference §3.4, §3.5): every
 * {@code --distributed_interval} seconds, or every 5 s while the manager's {@code accelerate} lasts,
 * read the queries on offer, run each on the distributed engine (a discovery query first where the
 * manager gave one: a query whose discovery returns no row is not run), and write the results back.
 *
 * <p>Each query runs alone: its failure is its own status and message, never the batch's. A query is
 * marked in flight on disk before it runs and unmarked after; one found marked at start killed the
 * process, and is denylisted for {@code --distributed_denylist_duration} (by its SQL, so a new id does
 * not bring it back), as is a query the watchdog stopped. A denylisted query is answered with
 * status 1 and osquery's message "distributed query is denylisted".
 *
 * <p>Bad input from the manager (a reply that is not an object, {@code queries} that are not strings) is
 * one status line, and the next check-in goes on as usual: osquery refuses the whole reply then.
 */
public final class DistributedQueries {
    private static final Logger log = LoggerFactory.getLogger(DistributedQueries.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** osquery's accelerated check-in period. */
    static final long ACCELERATED_SECONDS = 5;
    public static final String DENYLISTED = "distributed query is denylisted";

    /**
     * The flags that drive it; {@code retryUnitMillis} is osquery's second between attempts (tests shorten it); logInfo:
     * {@code --distributed_loginfo}, each query run is a status line (else a debug line).
     */
    public record Options(String readEndpoint, String writeEndpoint, long intervalSeconds, long maxAttempts, long denylistSeconds,
            long writeMaxBytes, long retryUnitMillis, boolean logInfo) {
        public static Options from(Settings s) {
            return new Options(s.get(RemoteFlags.DISTRIBUTED_TLS_READ_ENDPOINT), s.get(RemoteFlags.DISTRIBUTED_TLS_WRITE_ENDPOINT),
                    s.get(RemoteFlags.DISTRIBUTED_INTERVAL), s.get(RemoteFlags.DISTRIBUTED_TLS_MAX_ATTEMPTS), s.get(RemoteFlags.DISTRIBUTED_DENYLIST_DURATION),
                    s.get(RemoteFlags.DISTRIBUTED_WRITE_MAX_BYTES), 1000, s.get(RemoteFlags.DISTRIBUTED_LOGINFO));
        }

        /** What is wrong with these flags for distributed queries to run, or null. */
        public String problem(String plugin) {
            if (!plugin.equals("tls")) return "--distributed_plugin=" + plugin + " is not a distributed plugin hostql has (tls)";
            if (readEndpoint.isEmpty()) return "--distributed_tls_read_endpoint is not set";
            if (writeEndpoint.isEmpty()) return "--distributed_tls_write_endpoint is not set";
            if (intervalSeconds < 1) return "--distributed_interval must be at least 1 second, not " + intervalSeconds;
            return null;
        }
    }

    private final Options options;
    private final Attempts remote;
    private final QueryRunner runner;
    private final DistributedState state;
    private long nextCheckIn;
    private String failing; // the last failure's line, logged once until it changes or clears
    private volatile long checkIns, queriesRun;

    public DistributedQueries(Options options, RemoteCall remote, QueryRunner runner, Path dataDir) {
        this.options = options;
        this.remote = new Attempts(remote, options.retryUnitMillis());
        this.runner = runner;
        this.state = new DistributedState(dataDir);
        denylistCrashed();
        if (options.writeMaxBytes() > 0 && options.writeMaxBytes() < WriteBodies.MIN_CAP) {
            log.warn("--distributed_write_max_bytes {} is below {}; using {}", options.writeMaxBytes(), WriteBodies.MIN_CAP,
                    WriteBodies.MIN_CAP);
        }
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    /** A query in flight when the process last stopped killed it (osquery's worker crash): its SQL is denylisted. */
    private void denylistCrashed() {
        Map<String, String> crashed = state.inFlight();
        if (crashed.isEmpty()) return;
        long until = now() + options.denylistSeconds();
        try {
            for (Map.Entry<String, String> e : crashed.entrySet()) {
                state.denylist(e.getValue(), until, "hostqld stopped while it was running");
                log.error("distributed query {} was running when hostqld last stopped abnormally; denylisted for {} s: {}", e.getKey(),
                        options.denylistSeconds(), e.getValue());
            }
            state.setInFlight(null, null);
        } catch (DistributedState.StateNotSaved e) {
            log.error("distributed queries: {}; the crashed query is denylisted until hostqld restarts", e.getMessage());
        }
    }

    /** Called every second: checks in when the period has passed. */
    public void tick() {
        long now = now();
        if (now < nextCheckIn) return;
        try {
            checkIn();
        } finally {
            nextCheckIn = now() + (now() < state.accelerateUntil() ? ACCELERATED_SECONDS : options.intervalSeconds());
        }
    }

    /** One check-in: read the queries on offer, run them, write the results. Failures are status lines, not exceptions. */
    public void checkIn() {
        checkIns++;
        ObjectNode reply;
        try {
            reply = remote.post(options.readEndpoint(), JSON.createObjectNode(), options.maxAttempts());
        } catch (IOException e) {
            failed("distributed read failed: " + e.getMessage());
            return;
        }
        Map<String, String> queries, discovery;
        try {
            queries = strings(reply, "queries");
            discovery = strings(reply, "discovery");
        } catch (BadReply e) {
            failed("distributed read: the manager's reply is refused: " + e.getMessage());
            return;
        }
        accelerate(reply.get("accelerate"));
        if (queries.isEmpty()) {
            recovered();
            return;
        }
        List<WriteBodies.Answered> answers = new ArrayList<>();
        try (QueryRunner.Batch batch = runner.batch()) {
            for (Map.Entry<String, String> q : queries.entrySet()) {
                QueryRunner.Outcome o = answer(batch, q.getKey(), q.getValue(), discovery.get(q.getKey()));
                if (o != null) answers.add(new WriteBodies.Answered(q.getKey(), o));
            }
        }
        if (answers.isEmpty()) {
            recovered();
            return;
        }
        int[] writes = {0};
        try {
            WriteBodies.send(answers, options.writeMaxBytes(), body -> {
                writes[0]++;
                remote.post(options.writeEndpoint(), body, options.maxAttempts());
            });
        } catch (IOException e) {
            failed("distributed write failed" + (writes[0] > 1 ? " (write " + writes[0] + ")" : "") + ": " + e.getMessage()
                    + "; those results are lost");
            return;
        }
        if (writes[0] > 1) log.info("distributed write: {} results sent in {} writes (--distributed_write_max_bytes {})", answers.size(),
                writes[0], options.writeMaxBytes());
        recovered();
    }

    /** One query's outcome; null when its discovery query finds nothing (it is not run, nor reported, as osquery). */
    private QueryRunner.Outcome answer(QueryRunner.Batch batch, String id, String sql, String discoverySql) {
        QueryRunner.Outcome denied = denied(sql);
        if (denied != null) return denied;
        if (discoverySql != null) {
            QueryRunner.Outcome d = run(batch, id, discoverySql);
            if (!d.succeeded()) {
                log.warn("distributed query {} is not run: its discovery query failed: {}", id, d.message());
                return null;
            }
            if (d.result().rows().isEmpty()) return null;
        }
        QueryRunner.Outcome o = run(batch, id, sql);
        queriesRun++;
        if (!o.succeeded()) log.info("distributed query {} failed (status {}): {}", id, o.status(), o.message());
        return o;
    }

    private QueryRunner.Outcome denied(String sql) {
        DistributedState.Denied d = state.denied(sql, now());
        if (d == null) return null;
        return QueryRunner.Outcome.failed(1, DENYLISTED, QueryRunner.Cost.NONE, false);
    }

    /** Runs one statement marked in flight; a watchdog stop denylists its SQL. */
    private QueryRunner.Outcome run(QueryRunner.Batch batch, String id, String sql) {
        QueryRunner.Outcome denied = denied(sql);
        if (denied != null) return denied;
        boolean marked = mark(id, sql);
        if (options.logInfo()) log.info("executing distributed query {}: {}", id, sql);
        else log.debug("executing distributed query {}: {}", id, sql);
        DistributedRequest.set(id);
        QueryRunner.Outcome o;
        try {
            o = batch.run(sql);
        } finally {
            DistributedRequest.set(null);
            if (marked) mark(null, null);
        }
        if (o.stoppedByWatchdog()) {
            log.error("distributed query {} stopped by the watchdog; denylisted for {} s: {}", id, options.denylistSeconds(), o.message());
            try {
                state.denylist(sql, now() + options.denylistSeconds(), o.message());
            } catch (DistributedState.StateNotSaved e) {
                log.error("distributed queries: {}", e.getMessage());
            }
        }
        return o;
    }

    private boolean mark(String id, String sql) {
        try {
            state.setInFlight(id, sql);
            return true;
        } catch (DistributedState.StateNotSaved e) {
            // The query runs anyway: a manager's question is answered; only a crash during it goes unnoticed.
            failed("distributed queries: " + e.getMessage() + "; queries run without crash protection");
            return false;
        }
    }

    private void accelerate(JsonNode value) {
        if (value == null || value.isNull()) return;
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            log.debug("distributed read: 'accelerate' is not an integer ({}); ignored, as osquery does", value);
            return;
        }
        long until = value.asLong() <= 0 ? 0 : now() + Math.min(value.asLong(), 365L * 86400);
        try {
            state.accelerateUntil(until);
        } catch (DistributedState.StateNotSaved e) {
            log.warn("distributed queries: {}", e.getMessage());
        }
    }

    /** An object of strings (id to SQL), in the reply's order; absent or null is empty. */
    private static Map<String, String> strings(ObjectNode reply, String key) throws BadReply {
        JsonNode n = reply.get(key);
        Map<String, String> out = new LinkedHashMap<>();
        if (n == null || n.isNull()) return out;
        if (!n.isObject()) throw new BadReply("'" + key + "' is " + kind(n) + ", not an object of id to SQL");
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new BadReply(key + " '" + e.getKey() + "' is " + kind(e.getValue()) + ", not a string of SQL");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    private static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL, MISSING -> "null";
            default -> "a " + n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static final class BadReply extends Exception {
        BadReply(String message) {
            super(message);
        }
    }

    /** One status line per distinct failure; the same failure check-in after check-in is logged at debug. */
    private void failed(String line) {
        if (line.equals(failing)) {
            log.debug(line);
        } else {
            log.warn(line);
        }
        failing = line;
    }

    private void recovered() {
        if (failing != null) log.info("distributed queries work again");
        failing = null;
    }

    public long checkIns() {
        return checkIns;
    }

    public long queriesRun() {
        return queriesRun;
    }
}
