package io.hostql.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hostql.config.Settings;
import io.hostql.daemon.schedule.LiveQueries;
import io.hostql.evented.EventStore;
import io.hostql.evented.EventedTables;
import io.hostql.remote.RemoteCall;
import io.hostql.remote.distributed.DistributedQueries;
import io.hostql.remote.distributed.QueryRunner;
import io.hostql.sql.table.TableRegistry;
import io.hostql.tables.LinuxTables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Issue 12: a distributed query's round trip, from the manager offering it to the manager receiving
 * the write (the check-in interval taken out: one check-in is timed), through the real poller and the
 * daemon's distributed engine, to an in-process manager that serializes every body as a transport
 * would. Baseline in the same run: the same query on a warm engine of its own, no remote API.
 */
final class DistributedRoundTrip {
    private static final String READ = "/read", WRITE = "/write";
    private static final ObjectMapper JSON = new ObjectMapper();

    private DistributedRoundTrip() {}

    /** The manager's side: offers one query at each read, and counts what the writes carry. */
    private static final class Manager implements RemoteCall {
        String sql;
        long writes, bytes, rows;

        @Override
        public ObjectNode post(String path, ObjectNode body) throws IOException {
            body.put("node_key", "bench-node-key-0123456789abcdef");
            byte[] sent = JSON.writeValueAsBytes(body); // what a transport would send
            ObjectNode reply = JSON.createObjectNode();
            if (path.equals(READ)) {
                reply.putObject("queries").put("q", sql);
            } else {
                writes++;
                bytes += sent.length;
                rows += body.path("queries").path("q").size();
            }
            return reply;
        }
    }

    static String run(Path tmp, int runs, int eventRows) throws Exception {
        Path data = tmp.resolve("distributed");
        if (Files.exists(data)) try (var s = Files.walk(data)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        Files.createDirectories(data);
        Path eventsDb = data.resolve("events.db");
        long fill0 = System.nanoTime();
        try (EventStore store = EventStore.open(eventsDb, EventedTables.all())) {
            int per = 50_000;
            for (int done = 0; done < eventRows; done += per) {
                int from = done, to = Math.min(eventRows, done + per);
                store.commit("bench", new EventStore.Position(to, 0, to), b -> {
                    for (int i = from; i < to; i++) {
                        b.insert(FileEventRows.file("/var/lib/bench/dir" + (i % 100) + "/file-" + i, "bench", i % 3 == 0 ? "CREATED" : "UPDATED",
                                i, 4096, 1_700_000_000L, 1_700_000_000L + i / 1000, i + 1)
                                .set(FileEventRows.MD5, "").set(FileEventRows.SHA1, "").set(FileEventRows.SHA256, ""));
                    }
                });
            }
        }
        double fillSeconds = (System.nanoTime() - fill0) / 1e9;
        // The watchdog off: at its default limits it stops the 1M-row query on a loaded 2-core machine (said below).
        Settings settings = Settings.parse(new String[] {"--disable_watchdog"}, java.util.Map.of());
        TableRegistry registry = LinuxTables.registry(settings);
        Manager manager = new Manager();
        StringBuilder md = new StringBuilder("## Distributed query round trip (issue 12)\n\n"
                + "From the manager offering a query to the manager receiving its write, one check-in timed (the\n"
                + "interval taken out): the real poller and distributed engine (a connection opened per check-in, the\n"
                + "watchdog off), an in-process manager that serializes each body as the transport would (TLS is not in\n"
                + "it). Baseline, same run: the query alone on a warm engine. The machine was shared with other builds\n"
                + "while this ran: the ratio matters more than the times.\n\n"
                + "| query | round trip | query alone | ratio | rows | writes | bytes written |\n|---|---|---|---|---|---|---|\n");
        try (LiveQueries live = new LiveQueries(settings, registry, eventsDb, EventedTables.all())) {
            DistributedQueries poller = new DistributedQueries(new DistributedQueries.Options(READ, WRITE, 60, 1, 86400,
                    settings.number("distributed_write_max_bytes"), 1000, false), manager, live, data);
            row(md, "SELECT * FROM processes", runs, manager, poller, live);
            row(md, "SELECT * FROM file_events", Math.max(3, runs / 3), manager, poller, live);
        }
        md.append("\nevents.db filled with ").append(eventRows).append(" file_events rows by a generator in ")
                .append(Measure.f(fillSeconds, 1)).append(" s. Writes are split under `--distributed_write_max_bytes` (default ")
                .append(settings.number("distributed_write_max_bytes")).append("). Medians of the runs after one warm-up.\n"
                        + "With the watchdog on at its default level (10% of the CPUs for 12 s), the 1M-row query was stopped and\n"
                        + "denylisted in a first run on this loaded machine, as osquery's watchdog would kill its worker: a manager\n"
                        + "that wants whole evented tables live should bound them by time, or raise --watchdog_latency_limit.\n\n");
        return md.toString();
    }

    private static void row(StringBuilder md, String sql, int runs, Manager manager, DistributedQueries poller, QueryRunner live) {
        manager.sql = sql;
        double[] trip = new double[runs], alone = new double[runs];
        long rows = 0, writes = 0, bytes = 0;
        for (int i = -1; i < runs; i++) {
            manager.writes = manager.bytes = manager.rows = 0;
            long t0 = System.nanoTime();
            poller.checkIn();
            double t = (System.nanoTime() - t0) / 1e9;
            long a0 = System.nanoTime();
            try (QueryRunner.Batch b = live.batch()) {
                QueryRunner.Outcome o = b.run(sql);
                if (!o.succeeded()) throw new IllegalStateException(sql + ": " + o.message());
            }
            double a = (System.nanoTime() - a0) / 1e9;
            if (i < 0) continue; // warm-up
            trip[i] = t;
            alone[i] = a;
            rows = manager.rows;
            writes = manager.writes;
            bytes = manager.bytes;
        }
        md.append("| `").append(sql).append("` | ").append(Measure.f(Measure.median(trip) * 1000, 1)).append(" ms | ")
                .append(Measure.f(Measure.median(alone) * 1000, 1)).append(" ms | ")
                .append(Measure.f(Measure.median(trip) / Measure.median(alone), 2)).append(" | ").append(rows).append(" | ")
                .append(writes).append(" | ").append(bytes).append(" |\n");
    }
}
