package io.hostql.bench;

import io.hostql.sql.Database;
import io.hostql.sql.QueryResult;
import io.hostql.sql.table.TableRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Issue 3: N files created, written and closed in a watched tree, with hostqld running and
 * {@code inotifywait -m -r} alongside as the kernel's count. Measures capture (rows against
 * inotifywait's events, and the loss records), latency from close() to the row being queryable
 * in events.db, and hostqld's CPU seconds and peak RSS.
 */
final class FileStorm {
    private FileStorm() {}

    static String run(Path home, Path tmp, int files, List<Integer> queueSizes) throws Exception {
        StringBuilder md = new StringBuilder("## File storm: inotify → journal → file_events (issue 3)\n\n"
                + files + " files created, written (64 bytes) and closed as fast as one writer thread can, in 100 directories of a\n"
                + "tree watched with `%%`. hostqld runs as a separate process; `inotifywait -m -r -e create,modify,close_write` runs\n"
                + "alongside as the baseline count of kernel events. Latency: from the writer's close() to the file's last row being\n"
                + "visible to a reader of events.db (polled every 2 ms). The kernel's inotify queue (`fs.inotify.max_queued_events`)\n"
                + "is per instance: the first run uses the default, the second a raised value, as FIM deployments do.\n\n"
                + "| max_queued_events | write rate | kernel events (inotifywait) | file_events rows | loss records | files with a row | latency p50 | p99 | max | hostqld CPU | hostqld peak RSS |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|\n");
        Path queued = Path.of("/proc/sys/fs/inotify/max_queued_events");
        // Never Files.readString on /proc/sys: it reads one byte first, and the kernel then returns only "1" of "16384".
        String original = io.hostql.os.sysfs.SysFiles.read(queued);
        if (original == null || original.isBlank()) throw new IllegalStateException("cannot read " + queued);
        try {
            for (int q : queueSizes) {
                Files.writeString(queued, Integer.toString(q));
                md.append(once(home, tmp, files, q)).append('\n');
            }
        } finally {
            Files.writeString(queued, original);
        }
        return md.append('\n').toString();
    }

    private static String once(Path home, Path tmp, int files, int queue) throws Exception {
        Path root = Files.createTempDirectory(tmp, "storm");
        Path tree = Files.createDirectories(root.resolve("tree"));
        for (int d = 0; d < 100; d++) Files.createDirectories(tree.resolve("d" + d));
        Path data = root.resolve("data");
        Path config = Files.writeString(root.resolve("storm.conf"), "{\"file_paths\": {\"storm\": [\"" + tree + "/%%\"]}}");
        Process daemon = Measure.startHostqld(home, root, config, "--events_max=0", "--events_max_bytes=0", "--events_retention_interval=3600");
        Process watcher = null;
        try {
            Path counted = root.resolve("inotifywait.txt");
            watcher = new ProcessBuilder("inotifywait", "-m", "-r", "-e", "create,modify,close_write", "--format", "%e", tree.toString())
                    .redirectOutput(counted.toFile()).start();
            BufferedReader err = new BufferedReader(new InputStreamReader(watcher.getErrorStream(), StandardCharsets.UTF_8));
            for (String line; (line = err.readLine()) != null; ) if (line.contains("Watches established")) break;

            long pid = daemon.pid();
            double cpu0 = Measure.cpuSeconds(pid);
            long[] closed = new long[files];
            long[] seen = new long[files];
            Observer observer = new Observer(data.resolve("events.db"), seen);
            Thread obs = new Thread(observer, "observer");
            obs.start();
            byte[] content = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
            long w0 = System.nanoTime();
            for (int i = 0; i < files; i++) {
                Files.write(tree.resolve("d" + (i % 100)).resolve("f" + i), content);
                closed[i] = System.nanoTime();
            }
            double writeSeconds = (System.nanoTime() - w0) / 1e9;
            observer.awaitQuiet(5_000_000_000L, 300_000_000_000L);
            double cpu = Measure.cpuSeconds(pid) - cpu0;
            double rss = Measure.peakRss(pid);
            watcher.destroy();
            watcher.waitFor(10, TimeUnit.SECONDS);
            List<String> events = Files.readAllLines(counted);
            long kernel = events.stream().filter(e -> !e.contains("Q_OVERFLOW")).count();
            long watcherOverflows = events.stream().filter(e -> e.contains("Q_OVERFLOW")).count();

            List<Double> lat = new ArrayList<>();
            int withRow = 0;
            for (int i = 0; i < files; i++) {
                if (seen[i] == 0) continue;
                withRow++;
                lat.add(Math.max(0, seen[i] - closed[i]) / 1e9);
            }
            double[] l = lat.stream().mapToDouble(Double::doubleValue).toArray();
            QueryResult counts;
            try (Database db = Database.open(new TableRegistry())) {
                db.attachReadOnly(data.resolve("events.db"), "events");
                counts = db.query("SELECT (SELECT count(*) FROM file_events), (SELECT count(*) FROM hostql_event_losses WHERE source = 'inotify')");
            }
            return "| " + queue + " | " + Measure.f(files / writeSeconds, 0) + " files/s | " + kernel
                    + (watcherOverflows > 0 ? " (+" + watcherOverflows + " overflows)" : "") + " | " + counts.rows().get(0)[0]
                    + " | " + counts.rows().get(0)[1] + " | " + withRow + " of " + files + " | " + Measure.f(Measure.median(l) * 1000, 0)
                    + " ms | " + Measure.f(Measure.percentile(l, 99) * 1000, 0) + " ms | " + Measure.f(Measure.percentile(l, 100) * 1000, 0)
                    + " ms | " + Measure.f(cpu, 1) + " s | " + Measure.f(rss, 0) + " MiB |";
        } finally {
            if (watcher != null) watcher.destroyForcibly();
            daemon.destroy();
            daemon.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Polls events.db for new rows and records when each file's latest row became visible. */
    private static final class Observer implements Runnable {
        private final Path db;
        private final long[] seen;
        private volatile long lastNew = System.nanoTime();
        private volatile boolean stop;

        Observer(Path db, long[] seen) {
            this.db = db;
            this.seen = seen;
        }

        public void run() {
            try (Database d = Database.open(new TableRegistry())) {
                d.attachReadOnly(db, "events");
                long last = 0;
                while (!stop) {
                    QueryResult r = d.query("SELECT rowid, target_path FROM file_events WHERE rowid > ? ORDER BY rowid", last);
                    long now = System.nanoTime();
                    for (Object[] row : r.rows()) {
                        last = (Long) row[0];
                        String p = (String) row[1];
                        int f = p.lastIndexOf("/f");
                        if (f < 0) continue;
                        try {
                            int i = Integer.parseInt(p.substring(f + 2));
                            if (i >= 0 && i < seen.length) seen[i] = now;
                        } catch (NumberFormatException ignored) {
                            // a directory row
                        }
                    }
                    if (!r.rows().isEmpty()) lastNew = now;
                    Thread.sleep(2);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        void awaitQuiet(long quietNanos, long maxNanos) throws InterruptedException {
            long end = System.nanoTime() + maxNanos;
            while (System.nanoTime() - lastNew < quietNanos && System.nanoTime() < end) Thread.sleep(50);
            stop = true;
        }
    }
}
