package io.hostql.bench;

import io.hostql.loggers.FilesystemLogger;
import io.hostql.remote.InProcessManager;
import io.hostql.remote.testserver.Pki;
import io.hostql.remote.testserver.TlsTestServer;
import io.hostql.remote.testserver.TlsTestServer.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Issue 12: what being managed costs. hostqld (bin/hostqld) enrolled with a local osquery manager
 * (the tests' TlsTestServer over HTTPS), its config fetched every 60 s (--config_refresh=60) and
 * its logs sent every 10 s (--logger_tls_period=10) and a distributed check-in every 10 s
 * (--distributed_interval=10, no query on offer), against the same daemon with the same schedule
 * from a local file and no remote plugin, running alongside it. After a warm-up, CPU% is the daemon's
 * user+system time over the window; bytes are the request and reply bodies the manager saw.
 *
 * <p>Then log delivery: a schedule logging {@value #ROWS} result lines a second through the tls logger
 * (one request a second of at most 1024 lines), the lines/s the manager receives, then a manager
 * outage (its log endpoint answering 503) and the time the daemon takes to deliver the backlog once
 * the manager is back.
 */
final class RemoteCheckIn {
    private RemoteCheckIn() {}

    /** threads: CPU% of each thread name over the window (Measure.threadCpuSeconds). */
    record Result(double cpuPercent, long requests, long bytesIn, long bytesOut, double seconds, java.util.Map<String, Double> threads) {}

    static final String SCHEDULE = "{\"schedule\": {\"time\": {\"query\": \"SELECT unix_time FROM time\", \"interval\": 10}}}";

    /** Log delivery: the lines the test schedule logs each second, and how much faster the tls logger may send. */
    static final int ROWS = 200, PERIOD = 1, MAX_LINES = 1024;
    static final String LINES = "{\"schedule\": {\"lines\": {\"query\": \"WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n"
            + " WHERE x < " + ROWS + ") SELECT x, (SELECT unix_time FROM time) AS t FROM n\", \"interval\": 1, \"removed\": false}}}";

    record Delivery(double steadyLinesPerSecond, long backlog, double drainSeconds, double drainLinesPerSecond) {}

    static String run(Path home, Path tmp, int warmupSeconds, int seconds, int outageSeconds) throws Exception {
        return run(home, tmp, warmupSeconds, seconds, outageSeconds, Boolean.parseBoolean(System.getProperty("remote.closing", "true")));
    }

    /** closing: a third daemon, managed by a manager that closes the connection after every reply, alongside the other two. */
    static String run(Path home, Path tmp, int warmupSeconds, int seconds, int outageSeconds, boolean closing) throws Exception {
        Path root = Files.createTempDirectory(tmp, "remote");
        Pki pki = Pki.create(root.resolve("pki"));
        Result[] all;
        Delivery delivery;
        List<RemoteRequestCost.Cost> costs = RemoteRequestCost.measure(root, pki.ca, pki.server());
        try (TlsTestServer server = TlsTestServer.start(pki.server(), null); TlsTestServer closer = TlsTestServer.start(pki.server(), null)) {
            closer.connections = TlsTestServer.Connections.CLOSE_SILENTLY;
            List<TlsTestServer> managers = closing ? List.of(server, closer) : List.of(server);
            List<String[]> flags = new java.util.ArrayList<>();
            for (TlsTestServer m : managers) {
                m.config = TlsTestServer.JSON.readTree(SCHEDULE);
                flags.add(concat(enroll(root, pki, m), "--config_plugin=tls", "--config_tls_endpoint=" + TlsTestServer.CONFIG,
                        "--config_refresh=60", "--logger_plugin=filesystem,tls", "--logger_tls_endpoint=" + TlsTestServer.LOG,
                        "--logger_tls_period=10", "--disable_distributed=false", "--distributed_interval=10",
                        "--distributed_tls_read_endpoint=" + InProcessManager.READ, "--distributed_tls_write_endpoint=" + InProcessManager.WRITE));
            }
            all = sideBySide(home, root, managers, warmupSeconds, seconds, flags);
            delivery = outageSeconds <= 0 ? null : delivery(home, root.resolve("delivery"), server, outageSeconds, concat(enroll(root, pki, server),
                    "--logger_plugin=filesystem,tls", "--logger_tls_endpoint=" + TlsTestServer.LOG, "--logger_tls_period=" + PERIOD,
                    "--logger_tls_max_lines=" + MAX_LINES));
        }
        Result managed = all[0], local = all[all.length - 1], closed = closing ? all[1] : null;
        StringBuilder md = new StringBuilder("## Remote management check-in cost (issue 12)\n\n");
        md.append("hostqld enrolled with a local osquery manager over HTTPS (the tests' `TlsTestServer`), config fetched every 60 s\n"
                + "(`--config_refresh=60`), result and status logs sent every 10 s (`--logger_tls_period=10`), a distributed check-in\n"
                + "every 10 s (`--distributed_interval=10`, no query on offer), one scheduled query\n"
                + "every 10 s. The manager keeps connections alive as Fleet's (Go's net/http) does, and hostqld keeps one per thread\n"
                + "(`--tls_session_reuse`, osquery's default)" + (closing ? "; a second managed daemon talks to a manager that closes the\n"
                + "connection after every reply without saying so (a new connection per request, resuming the TLS session)" : "")
                + ". Baseline, running alongside: the same daemon and schedule from a local config file, filesystem logger only.\n"
                + "After a " + warmupSeconds + " s warm-up (at a request every few seconds the JIT takes minutes to compile the TLS code),\n"
                + "CPU% is each daemon's user+system time over the same window (100% = one core); bytes are the\n"
                + "request and reply bodies the manager saw in the window (TLS and HTTP headers not counted).\n"
                + "Run with `bench/run remote` (`-Dremote.warmup.seconds=N`, `-Dremote.seconds=N`, `-Dremote.outage.seconds=N`; 0: the check-in\n"
                + "cost only; `-Dremote.closing=false`: without the closing manager's daemon).\n"
                + "Machine: " + Measure.loadNote() + "; compare the rows, not the absolute figures.\n\n");
        md.append("| daemon | window | CPU | over the baseline | requests | bytes sent | bytes received |\n|---|---|---|---|---|---|---|\n");
        row(md, "managed, keep-alive manager (config 60 s, logs 10 s, distributed 10 s)", managed, local);
        if (closed != null) row(md, "managed, manager closing after every reply", closed, local);
        md.append("| local config, no remote plugin (baseline) | ").append(Measure.f(local.seconds(), 0)).append(" s | ")
                .append(Measure.f(local.cpuPercent(), 3)).append("% | - | - | - | - |\n\n");
        double extra = managed.cpuPercent() - local.cpuPercent();
        double perRequest = managed.requests() == 0 ? 0 : (double) (managed.bytesIn() + managed.bytesOut()) / managed.requests();
        md.append("Check-in cost over the baseline (keep-alive manager): ").append(Measure.f(extra, 3)).append(" points of a core; target under 0.2: **")
                .append(extra < 0.2 ? "met" : "missed").append("**");
        if (closed != null) md.append(" (closing manager: ").append(Measure.f(closed.cpuPercent() - local.cpuPercent(), 3)).append(")");
        md.append(". Bytes per request (body sent + received): ").append(Measure.f(perRequest, 0)).append(".\n\n");
        md.append("Where it goes: CPU% of the daemon's threads over the same windows, by thread name (Linux keeps 15 characters;\n"
                + "threads that ended during the window are not counted), those with 0.005 points or more in a daemon.\n\n");
        md.append("| thread | managed, keep-alive |").append(closed != null ? " managed, closing |" : "").append(" baseline |\n|---|---|")
                .append(closed != null ? "---|" : "").append("---|\n");
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (Result r : all) names.addAll(r.threads().keySet());
        for (String name : names) {
            if (java.util.Arrays.stream(all).allMatch(r -> r.threads().getOrDefault(name, 0.0) < 0.005)) continue;
            md.append("| ").append(name).append(" |");
            for (Result r : all) md.append(' ').append(Measure.f(r.threads().getOrDefault(name, 0.0), 3)).append("% |");
            md.append("\n");
        }
        md.append("\n");
        md.append("What one request costs the client, by how it gets its connection: " + RemoteRequestCost.REQUESTS + " config requests\n"
                + "back to back after " + RemoteRequestCost.WARMUP + " of warm-up, from a client JVM of its own with hostqld's\n"
                + "`-XX:TieredStopAtLevel=1` (its process CPU time over the requests; the managers run in the benchmark's JVM).\n\n");
        md.append("| connection | client CPU per request | time per request |\n|---|---|---|\n");
        for (RemoteRequestCost.Cost c : costs) {
            md.append("| ").append(c.how()).append(" | ").append(Measure.f(c.cpuMillis(), 3)).append(" ms | ").append(Measure.f(c.wallMillis(), 3))
                    .append(" ms |\n");
        }
        md.append("\nA new connection, even resuming the TLS session, still makes the TLS 1.3 resumption's key exchange (x25519, and\n"
                + "a P-256 key share the JDK's client makes in every ClientHello and the server does not pick), as C1-compiled Java.\n"
                + "A kept connection makes none: a request is one TLS record each way.\n\n");
        if (delivery == null) return md.toString(); // -Dremote.outage.seconds=0: the check-in cost only
        md.append("### Log delivery to the manager\n\n");
        md.append("A schedule logging ").append(ROWS).append(" result lines a second (`removed: false`), the tls logger sending at most ")
                .append(MAX_LINES).append(" lines\nevery ").append(PERIOD).append(" s (`--logger_tls_period=").append(PERIOD)
                .append(" --logger_tls_max_lines=").append(MAX_LINES).append("`), with the filesystem logger alongside. Steady: the lines\n"
                + "the manager received per second over 60 s. Then the manager's log endpoint answers 503 for ").append(outageSeconds)
                .append(" s; drain: from its\nreturn until the manager has as many result lines as the daemon had logged locally when it returned.\n\n");
        md.append("| steady delivery | outage | backlog | drain time | delivery while draining |\n|---|---|---|---|---|\n");
        md.append("| ").append(Measure.f(delivery.steadyLinesPerSecond(), 0)).append(" lines/s | ").append(outageSeconds).append(" s | ")
                .append(delivery.backlog()).append(" lines | ").append(Measure.f(delivery.drainSeconds(), 1)).append(" s | ")
                .append(Measure.f(delivery.drainLinesPerSecond(), 0)).append(" lines/s (ceiling ").append(MAX_LINES / PERIOD)
                .append(") |\n\n");
        return md.toString();
    }

    private static void row(StringBuilder md, String name, Result r, Result local) {
        md.append("| ").append(name).append(" | ").append(Measure.f(r.seconds(), 0)).append(" s | ").append(Measure.f(r.cpuPercent(), 3))
                .append("% | ").append(Measure.f(r.cpuPercent() - local.cpuPercent(), 3)).append(" | ").append(r.requests()).append(" | ")
                .append(r.bytesIn()).append(" | ").append(r.bytesOut()).append(" |\n");
    }

    private static String[] enroll(Path root, Pki pki, TlsTestServer server) throws java.io.IOException {
        Path secret = root.resolve("secret");
        if (!Files.exists(secret)) {
            Files.writeString(secret, server.secret);
            Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
        return new String[] {"--tls_hostname=" + server.hostname(), "--tls_server_certs=" + pki.ca,
                "--enroll_tls_endpoint=" + TlsTestServer.ENROLL, "--enroll_secret_path=" + secret};
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static Delivery delivery(Path home, Path root, TlsTestServer server, int outageSeconds, String... flags) throws Exception {
        Process daemon = start(home, root, LINES, flags);
        Function<TlsTestServer.Request, Reply> standard = server.handler(TlsTestServer.LOG);
        try {
            Thread.sleep(30_000); // warm-up: JIT, enrollment, first runs
            long n0 = received(server), t0 = System.nanoTime();
            Thread.sleep(60_000);
            double steady = (received(server) - n0) / ((System.nanoTime() - t0) / 1e9);
            server.handle(TlsTestServer.LOG, r -> Reply.raw(503, "{\"error\": \"down for maintenance\"}"));
            Thread.sleep(outageSeconds * 1000L);
            long logged = logged(root.resolve("logs").resolve(FilesystemLogger.RESULTS)), before = received(server);
            long back = System.nanoTime(), deadline = back + 600_000_000_000L;
            server.handle(TlsTestServer.LOG, standard);
            while (received(server) < logged) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("the backlog did not drain in 10 minutes");
                Thread.sleep(50);
            }
            double drain = (System.nanoTime() - back) / 1e9;
            return new Delivery(steady, logged - before, drain, (received(server) - before) / drain);
        } finally {
            server.handle(TlsTestServer.LOG, standard);
            daemon.destroy();
            daemon.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** hostqld on this config (text), without events, with these flags. */
    private static Process start(Path home, Path root, String config, String... flags) throws Exception {
        Files.createDirectories(root);
        Path conf = Files.writeString(root.resolve("hostql.conf"), config);
        List<String> args = new java.util.ArrayList<>(List.of("--disable_events"));
        args.addAll(List.of(flags));
        return Measure.startHostqld(home, root, conf, args.toArray(new String[0]));
    }

    /** Result lines of the test schedule the manager has received. */
    private static long received(TlsTestServer server) {
        return server.logLines("result").stream().filter(n -> n.path("name").asText().equals("lines")).count();
    }

    /** Result lines of the test schedule in the daemon's local results file. */
    private static long logged(Path results) throws java.io.IOException {
        try (var lines = Files.lines(results)) {
            return lines.filter(l -> l.contains("\"name\":\"lines\"")).count();
        }
    }

    /**
     * The managed daemons (one per manager, with its flags) and the baseline (local config, no remote plugin) running at
     * once, so that all see the same machine; measured over the same window after the warm-up. The baseline's result is last.
     */
    private static Result[] sideBySide(Path home, Path root, List<TlsTestServer> managers, int warmupSeconds, int seconds,
            List<String[]> flags) throws Exception {
        List<Process> daemons = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < managers.size(); i++) daemons.add(start(home, root.resolve("managed-" + i), SCHEDULE, flags.get(i)));
            daemons.add(start(home, root.resolve("local"), SCHEDULE));
            Thread.sleep(warmupSeconds * 1000L); // JIT: at a request every few seconds the TLS code takes minutes to be compiled
            int n = daemons.size();
            double[] cpu0 = new double[n];
            long[] requests0 = new long[n], in0 = new long[n], out0 = new long[n];
            List<java.util.Map<String, Double>> threads0 = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                cpu0[i] = Measure.cpuSeconds(daemons.get(i).pid());
                threads0.add(Measure.threadCpuSeconds(daemons.get(i).pid()));
                if (i < managers.size()) {
                    requests0[i] = managers.get(i).requests.size();
                    in0[i] = managers.get(i).bytesIn.get();
                    out0[i] = managers.get(i).bytesOut.get();
                }
            }
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            double window = (System.nanoTime() - t0) / 1e9;
            Result[] out = new Result[n];
            for (int i = 0; i < n; i++) {
                long pid = daemons.get(i).pid();
                double cpu = (Measure.cpuSeconds(pid) - cpu0[i]) / window * 100;
                java.util.Map<String, Double> before = threads0.get(i), threads = new java.util.TreeMap<>();
                Measure.threadCpuSeconds(pid).forEach((name, s) -> threads.put(name, (s - before.getOrDefault(name, 0.0)) / window * 100));
                TlsTestServer m = i < managers.size() ? managers.get(i) : null;
                out[i] = m == null ? new Result(cpu, 0, 0, 0, window, threads)
                        : new Result(cpu, m.requests.size() - requests0[i], m.bytesIn.get() - in0[i], m.bytesOut.get() - out0[i], window, threads);
            }
            return out;
        } finally {
            for (Process p : daemons) {
                p.destroy();
                p.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
