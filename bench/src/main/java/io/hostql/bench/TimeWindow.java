package io.hostql.bench;

import io.hostql.evented.EventStore;
import io.hostql.evented.EventedTables;
import io.hostql.sql.Database;
import io.hostql.sql.table.TableRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Issue 3: a time-window query over a large file_events, against the same query on an unindexed
 * copy of the table in the same database, in the same run.
 */
final class TimeWindow {
    private TimeWindow() {}

    static String run(Path tmp, long rows, int runs) throws Exception {
        Path file = Files.createTempDirectory(tmp, "window").resolve("events.db");
        long base = 1_700_000_000L;
        long perSecond = 10;
        long t0 = System.nanoTime();
        try (EventStore store = EventStore.open(file, EventedTables.all())) {
            long eid = 0;
            while (eid < rows) {
                long start = eid;
                long end = Math.min(rows, start + 200_000);
                store.commit("bench", new EventStore.Position(end, end, end), b -> {
                    for (long i = start; i < end; i++) {
                        long t = base + i / perSecond;
                        b.insert(FileEventRows.file("/etc/app/conf.d/file-" + (i % 5000) + ".conf", "etc", "UPDATED", 1_000_000L + i % 5000,
                                i % 4096, t, t, i + 1).set(FileEventRows.SHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
                                .set(FileEventRows.HASHED, 1));
                    }
                });
                eid = end;
            }
            store.query("SELECT 1");
        }
        double load = (System.nanoTime() - t0) / 1e9;
        try (Database db = Database.openInternal(file.toString())) {
            db.executeTrusted("CREATE TABLE file_events_unindexed AS SELECT * FROM file_events");
        }
        long span = rows / perSecond;
        Random rnd = new Random(42);
        double[] idx = new double[runs], scan = new double[runs];
        long matched = 0;
        try (Database db = Database.open(new TableRegistry())) {
            db.attachReadOnly(file, "events");
            for (int i = 0; i < runs + 2; i++) {
                long x = base + (long) (rnd.nextDouble() * (span - 60));
                String where = " WHERE time BETWEEN " + x + " AND " + (x + 60);
                long a = System.nanoTime();
                matched = (Long) db.query("SELECT count(*), sum(size) FROM file_events" + where).rows().get(0)[0];
                long b = System.nanoTime();
                db.query("SELECT count(*), sum(size) FROM file_events_unindexed" + where);
                long c = System.nanoTime();
                if (i >= 2) {
                    idx[i - 2] = (b - a) / 1e9;
                    scan[i - 2] = (c - b) / 1e9;
                }
            }
            String plan = (String) db.query("EXPLAIN QUERY PLAN SELECT count(*) FROM file_events WHERE time BETWEEN 1 AND 2").rows().get(0)[3];
            long bytes = Files.size(file);
            Files.deleteIfExists(file);
            return "## Time-window query over file_events (issue 3)\n\n"
                    + rows + " rows (" + Measure.f(bytes / 1e9, 2) + " GB events.db, loaded in " + Measure.f(load, 0) + " s at "
                    + Measure.f(rows / load / 1000, 0) + "k rows/s through the subscribers' insert path). Query: `SELECT count(*), sum(size) "
                    + "FROM file_events WHERE time BETWEEN x AND x+60` (" + matched + " rows match), x random, median of " + runs
                    + " runs. Baseline: the same query on an unindexed copy of the table in the same file. Plan: `" + plan + "`.\n\n"
                    + "| table | median | ratio |\n|---|---|---|\n"
                    + "| `file_events` (indexed on time) | " + Measure.f(Measure.median(idx) * 1000, 2) + " ms | "
                    + Measure.f(Measure.median(idx) / Measure.median(scan), 5) + " |\n"
                    + "| unindexed copy (baseline) | " + Measure.f(Measure.median(scan) * 1000, 0) + " ms | 1 |\n\n";
        }
    }
}
