package io.hostql.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Issue 6: the scheduler's steady cost. hostqld (bin/hostqld, default heap, watchdog on) runs 100
 * scheduled queries at 10 s intervals, 25 each over processes, users, listening_ports and file;
 * after a warm-up its CPU% (user+system over the window) and RSS (sampled every 5 s) are measured.
 * Baseline, same run: the same daemon with an empty schedule. Targets: under 2% of a core and
 * under 200 MB RSS.
 */
final class SchedulerOverhead {
    private SchedulerOverhead() {}

    record Result(double cpuPercent, double rssMedianMiB, double rssMaxMiB, long resultLines) {}

    static String run(Path home, Path tmp, int seconds, int baselineSeconds) throws Exception {
        StringBuilder schedule = new StringBuilder();
        String[] queries = {
                "SELECT %d AS q, pid, name, path, cmdline FROM processes",
                "SELECT %d AS q, uid, gid, username, directory, shell FROM users",
                "SELECT %d AS q, pid, port, protocol, family, address FROM listening_ports",
                "SELECT %d AS q, path, size, mtime, mode FROM file WHERE directory = '/etc'"};
        for (int i = 0; i < 100; i++) {
            if (i > 0) schedule.append(",\n");
            schedule.append("\"q").append(i).append("\": {\"query\": \"").append(String.format(queries[i % 4], i)).append("\", \"interval\": 10}");
        }
        Result loaded = once(home, tmp, "{\"schedule\": {" + schedule + "}}", seconds);
        Result idle = once(home, tmp, "{}", baselineSeconds);
        StringBuilder md = new StringBuilder("## Scheduler overhead (issue 6)\n\n");
        md.append("100 scheduled queries at 10 s intervals (25 each over `processes`, `users`, `listening_ports` and `file` in /etc),\n"
                + "in a real hostqld (bin/hostqld: default heap, watchdog on, differential results to the filesystem logger).\n"
                + "After a 60 s warm-up, CPU% is the daemon's user+system time over the window (100% = one core); RSS is sampled\n"
                + "every 5 s. Baseline, same run: the same daemon with an empty schedule. Run with `bench/run scheduler`\n"
                + "(`-Dsched.seconds=N` shortens the window).\n\n");
        md.append("| daemon | window | CPU | RSS median | RSS max | result lines |\n|---|---|---|---|---|---|\n");
        md.append("| 100 queries / 10 s | ").append(seconds).append(" s | ").append(Measure.f(loaded.cpuPercent(), 2)).append("% | ")
                .append(Measure.f(loaded.rssMedianMiB(), 0)).append(" MiB | ").append(Measure.f(loaded.rssMaxMiB(), 0)).append(" MiB | ")
                .append(loaded.resultLines()).append(" |\n");
        md.append("| empty schedule (baseline) | ").append(baselineSeconds).append(" s | ").append(Measure.f(idle.cpuPercent(), 2)).append("% | ")
                .append(Measure.f(idle.rssMedianMiB(), 0)).append(" MiB | ").append(Measure.f(idle.rssMaxMiB(), 0)).append(" MiB | - |\n\n");
        boolean cpuOk = loaded.cpuPercent() < 2, rssOk = loaded.rssMaxMiB() < 200;
        md.append("Scheduler cost over the idle daemon: ").append(Measure.f(loaded.cpuPercent() - idle.cpuPercent(), 2))
                .append(" points of a core, ").append(Measure.f(loaded.rssMedianMiB() - idle.rssMedianMiB(), 0)).append(" MiB.\n")
                .append("Targets: CPU under 2% of a core: **").append(cpuOk ? "met" : "missed").append("** (")
                .append(Measure.f(loaded.cpuPercent(), 2)).append("%); RSS under 200 MB: **").append(rssOk ? "met" : "missed")
                .append("** (max ").append(Measure.f(loaded.rssMaxMiB(), 0)).append(" MiB).\n\n")
                .append("What it costs: each run generates its table's rows (the queries of one scheduler tick share them,\n"
                        + "`RowCache`), SQLite reads them through JNA callbacks (direct ones: no boxing or reflection per cell), and the\n"
                        + "differential is computed and written. A query is compiled once, a tick's state writes are one transaction,\n"
                        + "and hostqld runs C1 only (C2 compiling was 0.4-0.7 points of a core for minutes after a start). `processes`\n"
                        + "differentials churn even on an idle machine: kernel workers rename themselves (`kworker/0:1-events`).\n\n");
        return md.toString();
    }

    private static Result once(Path home, Path tmp, String config, int seconds) throws Exception {
        Path root = Files.createTempDirectory(tmp, "sched");
        Path conf = Files.writeString(root.resolve("hostql.conf"), config);
        Path logs = root.resolve("logs");
        Process daemon = Measure.startHostqld(home, root, conf, "--disable_events");
        try {
            long pid = daemon.pid();
            Thread.sleep(60_000); // warm-up: JIT (C2 compiles for about a minute), first runs, class loading
            double cpu0 = Measure.cpuSeconds(pid);
            long t0 = System.nanoTime();
            List<Double> rss = new ArrayList<>();
            while (System.nanoTime() - t0 < seconds * 1_000_000_000L) {
                Thread.sleep(5000);
                rss.add(rssMiB(pid));
            }
            double cpu = (Measure.cpuSeconds(pid) - cpu0) / ((System.nanoTime() - t0) / 1e9) * 100;
            double[] r = rss.stream().mapToDouble(Double::doubleValue).toArray();
            Path results = logs.resolve("hostqld.results.log");
            long lines = Files.exists(results) ? Files.lines(results).count() : 0;
            return new Result(cpu, Measure.median(r), Measure.percentile(r, 100), lines);
        } finally {
            daemon.destroy();
            daemon.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static double rssMiB(long pid) throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
        }
        return Double.NaN;
    }
}
