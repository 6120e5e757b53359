package io.hostql.daemon.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hostql.config.Settings;
import io.hostql.evented.EventStore;
import io.hostql.evented.EventedTables;
import io.hostql.evented.Row;
import io.hostql.remote.InProcessManager;
import io.hostql.remote.carve.Carves;
import io.hostql.remote.carve.CarvesTable;
import io.hostql.remote.distributed.DistributedQueries;
import io.hostql.sql.table.TableRegistry;
import io.hostql.tables.LinuxTables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Distributed queries on the daemon's distributed engine (LiveQueries: the real tables, a real events.db)
 * against the in-process manager (InProcessManager answers as the reference says a server answers); the
 * same over TLS through a real hostqld is RemoteLiveQueriesEndToEndTest.
 */
class DistributedQueriesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path shared;
    private static EventStore store;
    private static TableRegistry registry;
    private static Carves carves;
    private static ExecutorService carver;
    private static LiveQueries live;

    @TempDir Path data;
    private InProcessManager manager;

    @BeforeAll
    static void engine() {
        Settings settings = Settings.defaults();
        store = EventStore.open(shared.resolve("events.db"), EventedTables.all());
        // Three retained file events: a distributed query sees them all (no scheduler window).
        Row.Layout file = Row.layout(EventedTables.FILE_EVENTS);
        store.commit("test", new EventStore.Position(3, 0, 3), batch -> {
            for (int i = 1; i <= 3; i++) {
                Row row = file.row().set(file.text("target_path"), "/etc/f" + i).set(file.text("category"), "etc")
                        .set(file.text("action"), "CREATED").set(file.integer("inode"), i).set(file.integer("time"), 1_700_000_000L + i);
                row.eid(String.format("%010d", i));
                batch.insert(row);
            }
        });
        carver = Executors.newSingleThreadExecutor();
        registry = LinuxTables.registry(settings).add(new CarvesTable(() -> carves));
        live = new LiveQueries(settings, registry, store.file(), EventedTables.all());
    }

    @AfterAll
    static void close() {
        live.close();
        carver.shutdownNow();
        store.close();
    }

    @BeforeEach
    void server() {
        manager = new InProcessManager();
        carves = new Carves(new Carves.Options(true, InProcessManager.CARVE_BEGIN, InProcessManager.CARVE_BLOCK, 4096, true, 86400, 1),
                manager, carver, data);
    }

    private DistributedQueries poller(long maxAttempts, long writeMaxBytes) {
        return new DistributedQueries(new DistributedQueries.Options(InProcessManager.READ, InProcessManager.WRITE, 60, maxAttempts, 86400,
                writeMaxBytes, 1, true), manager, live, data);
    }

    private static String offer(Map<String, String> queries, Map<String, String> discovery) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        queries.forEach(o.putObject("queries")::put);
        if (discovery != null) discovery.forEach(o.putObject("discovery")::put);
        return JSON.writeValueAsString(o);
    }

    @Test
    void aRoundTripWithDiscoveryAndAFailingQueryInTheSameBatch() throws Exception {
        Map<String, String> queries = new java.util.LinkedHashMap<>();
        queries.put("os", "SELECT name, version FROM os_version");
        queries.put("bad", "SELECT * FROM no_such_table");
        queries.put("discovered", "SELECT 1 AS one, NULL AS empty, 2.5 AS half, x'41' AS blob");
        queries.put("undiscovered", "SELECT 2");
        queries.put("events", "SELECT target_path, time FROM file_events ORDER BY eid");
        queries.put("write", "DELETE FROM file_events");
        manager.offer(offer(queries, Map.of("discovered", "SELECT 1 FROM os_version", "undiscovered", "SELECT 1 WHERE 0")));
        poller(3, 0).checkIn();

        assertThat(manager.writes()).hasSize(1);
        JsonNode w = manager.writes().get(0);
        assertThat(w.path("node_key").asText()).isNotEmpty();
        // The query whose discovery found nothing is neither run nor reported, as osquery.
        assertThat(names(w.path("queries"))).containsExactly("os", "bad", "discovered", "events", "write");
        assertThat(w.path("statuses").path("os").isInt()).isTrue();
        assertThat(w.path("statuses").path("os").asInt()).isZero();
        assertThat(w.path("statuses").path("bad").isInt()).isTrue();
        assertThat(w.path("statuses").path("bad").asInt()).isEqualTo(1); // SQLITE_ERROR
        assertThat(w.path("messages").path("bad").asText()).isEqualTo("no such table: no_such_table");
        assertThat(w.path("statuses").path("write").asInt()).isNotZero();
        assertThat(w.path("messages").path("write").asText()).contains("read-only");
        assertThat(w.path("messages").path("os").asText()).isEmpty();
        assertThat(w.path("queries").path("bad")).isEmpty();
        // Every value a JSON string, as osquery sends it: numbers, reals, NULL ("") and blobs included.
        assertThat(w.path("queries").path("discovered").toString()).isEqualTo("[{\"one\":\"1\",\"empty\":\"\",\"half\":\"2.5\",\"blob\":\"A\"}]");
        assertThat(w.path("queries").path("os").get(0).path("name").isTextual()).isTrue();
        assertThat(w.path("queries").path("os").get(0).path("name").asText()).isNotEmpty();
        // Every retained row of an evented table.
        assertThat(w.path("queries").path("events").toString()).isEqualTo("[{\"target_path\":\"/etc/f1\",\"time\":\"1700000001\"},"
                + "{\"target_path\":\"/etc/f2\",\"time\":\"1700000002\"},{\"target_path\":\"/etc/f3\",\"time\":\"1700000003\"}]");
        JsonNode stats = w.path("stats").path("os");
        assertThat(names(stats)).containsExactly("wall_time_ms", "user_time", "system_time", "memory");
        assertThat(stats.path("memory").isIntegralNumber()).isTrue();
        assertThat(Files.readString(data.resolve("distributed.json"))).contains("\"in_flight\":{}");
    }

    @Test
    void aBigResultIsSplitIntoWritesUnderTheCapWhoseRowsReassembleExactly() throws Exception {
        long cap = 64 * 1024;
        manager.maxBodyBytes(cap); // the manager refuses larger bodies, as a server's body limit
        String big = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 6000)"
                + " SELECT x, printf('row %06d of a result too big for one write', x) AS text FROM n";
        Map<String, String> queries = new java.util.LinkedHashMap<>();
        queries.put("small", "SELECT 'before' AS s");
        queries.put("big", big);
        queries.put("after", "SELECT 'after' AS s");
        queries.put("huge", "SELECT printf('%.70000c', 'x') AS one_row_over_the_cap");
        manager.offer(offer(queries, null));
        poller(1, cap).checkIn();

        List<ObjectNode> writes = manager.writes();
        assertThat(writes.size()).isGreaterThan(4);
        List<String> rows = new ArrayList<>();
        int stats = 0;
        for (ObjectNode w : writes) {
            assertThat(JSON.writeValueAsBytes(w).length).isLessThanOrEqualTo((int) cap);
            // Each piece is a whole osquery body: every id it carries has its status and message.
            assertThat(names(w.path("statuses"))).isEqualTo(names(w.path("queries")));
            assertThat(names(w.path("messages"))).isEqualTo(names(w.path("queries")));
            for (JsonNode r : w.path("queries").path("big")) rows.add(r.path("x").asText() + "|" + r.path("text").asText());
            if (w.path("stats").has("big")) stats++;
        }
        assertThat(stats).as("the stats of a split result are sent once").isEqualTo(1);
        List<String> expected = new ArrayList<>();
        for (int x = 1; x <= 6000; x++) expected.add(x + "|" + String.format("row %06d of a result too big for one write", x));
        assertThat(rows).isEqualTo(expected);
        assertThat(writes.get(0).path("queries").path("small").get(0).path("s").asText()).isEqualTo("before");
        assertThat(writes.get(writes.size() - 1).path("queries").path("after").get(0).path("s").asText()).isEqualTo("after");
        // A row that no write can hold is not sent: the query fails, saying why.
        JsonNode last = writes.get(writes.size() - 1);
        assertThat(last.path("queries").path("huge")).isEmpty();
        assertThat(last.path("statuses").path("huge").asInt()).isEqualTo(1);
        assertThat(last.path("messages").path("huge").asText()).startsWith("a result row of 700").endsWith(
                " bytes does not fit in one distributed write (--distributed_write_max_bytes 65536)");
    }

    @Test
    void aQueryThatKilledTheProcessIsDenylistedAfterTheRestart() throws Exception {
        manager.offer(offer(Map.of("first", "SELECT 42 AS answer"), null));
        poller(1, 0).checkIn();
        assertThat(manager.writes().get(0).path("statuses").path("first").asInt()).isZero();
        // The crash: hostqld died while the query ran, so its in-flight mark stayed in the data dir.
        Files.writeString(data.resolve("distributed.json"), "{\"in_flight\":{\"first\":\"SELECT 42 AS answer\"},\"denylist\":{}}");

        DistributedQueries restarted = poller(1, 0);
        Map<String, String> queries = new java.util.LinkedHashMap<>();
        queries.put("again", "SELECT 42 AS answer"); // the same SQL under a new id, as a manager re-offers it
        queries.put("other", "SELECT 1 AS one");
        manager.offer(offer(queries, null));
        restarted.checkIn();
        JsonNode w = manager.writes().get(1);
        assertThat(w.path("statuses").path("again").asInt()).isEqualTo(1);
        assertThat(w.path("messages").path("again").asText()).isEqualTo(DistributedQueries.DENYLISTED);
        assertThat(w.path("queries").path("again")).isEmpty();
        assertThat(w.path("statuses").path("other").asInt()).isZero();
        assertThat(restarted.queriesRun()).isEqualTo(1);
        // Still denylisted after another restart: the denylist is kept in the data dir.
        manager.offer(offer(Map.of("third", "SELECT 42 AS answer"), null));
        poller(1, 0).checkIn();
        assertThat(manager.writes().get(2).path("messages").path("third").asText()).isEqualTo(DistributedQueries.DENYLISTED);
    }

    @Test
    void badInputFromTheManagerIsOneStatusLineAndThePollerKeepsRunning() throws Exception {
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        Logger logger = (Logger) LoggerFactory.getLogger(DistributedQueries.class);
        logger.addAppender(lines);
        try {
            manager.offer(new IOException(InProcessManager.READ + ": the reply is not JSON: Unexpected character ('<')"));
            manager.offer("{\"queries\": \"SELECT 1\"}");
            manager.offer("{\"queries\": {\"a\": 5, \"b\": \"SELECT 1\"}}");
            manager.offer("{\"queries\": {\"a\": \"SELECT 1\"}, \"discovery\": {\"a\": [\"SELECT 1\"]}}");
            manager.offer("{\"queries\": {\"ok\": \"SELECT 1 AS one\"}, \"accelerate\": \"soon\"}");
            DistributedQueries poller = poller(1, 0);
            for (int i = 0; i < 5; i++) poller.checkIn();

            // --distributed_loginfo (on in these tests): each query run is a status line, as osquery's.
            assertThat(lines.list).anyMatch(e -> e.getLevel() == Level.INFO && e.getFormattedMessage()
                    .equals("executing distributed query ok: SELECT 1 AS one"));
            List<String> warnings = lines.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(warnings).containsExactly(
                    "distributed read failed: " + InProcessManager.READ + ": the reply is not JSON: Unexpected character ('<')",
                    "distributed read: the manager's reply is refused: 'queries' is a string, not an object of id to SQL",
                    "distributed read: the manager's reply is refused: queries 'a' is a number, not a string of SQL",
                    "distributed read: the manager's reply is refused: discovery 'a' is an array, not a string of SQL");
            assertThat(lines.list).anyMatch(e -> e.getFormattedMessage().equals("distributed queries work again"));
            // Only the good reply was run and answered; a refused reply runs none of its queries, as osquery.
            assertThat(manager.writes()).singleElement().satisfies(w -> assertThat(names(w.path("queries"))).containsExactly("ok"));
            assertThat(poller.queriesRun()).isEqualTo(1);
        } finally {
            logger.detachAppender(lines);
        }
    }

    @Test
    void aFailedReadIsRetriedAndAccelerateIsKept() throws Exception {
        manager.offer(new IOException("connection reset"));
        manager.offer("{\"queries\": {\"q\": \"SELECT 1 AS one\"}, \"accelerate\": 300}");
        poller(3, 0).checkIn();
        assertThat(manager.reads()).isEqualTo(2);
        assertThat(manager.writes()).hasSize(1);
        long until = JSON.readTree(data.resolve("distributed.json").toFile()).path("accelerate_until").asLong();
        assertThat(until).isBetween(System.currentTimeMillis() / 1000 + 290, System.currentTimeMillis() / 1000 + 300);
    }

    @Test
    void aCarveStartedByADistributedQueryCarriesItsId() throws Exception {
        Path f = Files.writeString(data.resolve("secret.txt"), "to be carved\n");
        manager.offer(offer(Map.of("fleet_distributed_query_7", "SELECT * FROM carves WHERE path = '" + f + "' AND carve = 1"), null));
        poller(1, 0).checkIn();
        JsonNode rows = manager.writes().get(0).path("queries").path("fleet_distributed_query_7");
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).path("carve").asText()).isEqualTo("1");
        assertThat(rows.get(0).path("request_id").asText()).isEqualTo("fleet_distributed_query_7");
        String guid = rows.get(0).path("carve_guid").asText();
        for (int i = 0; i < 500 && carves.list().get(0).status() != Carves.Status.SUCCESS; i++) Thread.sleep(20);
        assertThat(carves.list().get(0).status()).isEqualTo(Carves.Status.SUCCESS);
        InProcessManager.Session s = manager.sessions().values().iterator().next();
        assertThat(s.start().path("carve_id").asText()).isEqualTo(guid);
        assertThat(s.start().path("request_id").asText()).isEqualTo("fleet_distributed_query_7");
    }

    private static List<String> names(JsonNode o) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) out.add(it.next());
        return out;
    }
}
