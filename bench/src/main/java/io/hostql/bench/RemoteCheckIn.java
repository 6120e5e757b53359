package io.hostql.bench;

import io.hostql.remote.testserver.Pki;
import io.hostql.remote.testserver.TlsTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Issue 12: what being managed costs. hostqld (bin/hostqld) enrolled with a local osquery manager
 * (the tests' TlsTestServer over HTTPS), its config fetched every 60 s (--config_refresh=60) and
 * its logs sent every 10 s (--logger_tls_period=10), against the same daemon with the same schedule
 * from a local file and no remote plugin, in the same run. After a warm-up, CPU% is the daemon's
 * user+system time over the window; bytes are the request and reply bodies the manager saw.
 * Distributed queries (--distributed_interval) are another helper's and not in this figure yet.
 */
final class RemoteCheckIn {
    private RemoteCheckIn() {}

    record Result(double cpuPercent, long requests, long bytesIn, long bytesOut, double seconds) {}

    static final String SCHEDULE = "{\"schedule\": {\"time\": {\"query\": \"SELECT unix_time FROM time\", \"interval\": 10}}}";

    static String run(Path home, Path tmp, int seconds) throws Exception {
        Path root = Files.createTempDirectory(tmp, "remote");
        Pki pki = Pki.create(root.resolve("pki"));
        Result managed, local;
        try (TlsTestServer server = TlsTestServer.start(pki.server(), null)) {
            server.config = TlsTestServer.JSON.readTree(SCHEDULE);
            Path secret = Files.writeString(root.resolve("secret"), server.secret);
            managed = once(home, root.resolve("managed"), server, seconds, "--config_plugin=tls", "--tls_hostname=" + server.hostname(),
                    "--tls_server_certs=" + pki.ca, "--enroll_tls_endpoint=" + TlsTestServer.ENROLL, "--enroll_secret_path=" + secret,
                    "--config_tls_endpoint=" + TlsTestServer.CONFIG, "--config_refresh=60", "--logger_plugin=filesystem,tls",
                    "--logger_tls_endpoint=" + TlsTestServer.LOG, "--logger_tls_period=10");
            local = once(home, root.resolve("local"), null, seconds);
        }
        StringBuilder md = new StringBuilder("## Remote management check-in cost (issue 12)\n\n");
        md.append("hostqld enrolled with a local osquery manager over HTTPS (the tests' `TlsTestServer`), config fetched every 60 s\n"
                + "(`--config_refresh=60`), result and status logs sent every 10 s (`--logger_tls_period=10`), one scheduled query\n"
                + "every 10 s; baseline, same run: the same daemon and schedule from a local config file, filesystem logger only.\n"
                + "After a 60 s warm-up, CPU% is the daemon's user+system time over the window (100% = one core); bytes are the\n"
                + "request and reply bodies the manager saw in the window (TLS and HTTP headers not counted). Distributed queries\n"
                + "(`--distributed_interval`) are not part of this figure yet. Run with `bench/run remote` (`-Dremote.seconds=N`).\n"
                + "Machine: " + Measure.loadNote() + "; compare the two rows, not the absolute figures.\n\n");
        md.append("| daemon | window | CPU | requests | bytes sent | bytes received |\n|---|---|---|---|---|---|\n");
        md.append("| managed (config 60 s, logs 10 s) | ").append(Measure.f(managed.seconds(), 0)).append(" s | ")
                .append(Measure.f(managed.cpuPercent(), 3)).append("% | ").append(managed.requests()).append(" | ")
                .append(managed.bytesIn()).append(" | ").append(managed.bytesOut()).append(" |\n");
        md.append("| local config, no remote plugin (baseline) | ").append(Measure.f(local.seconds(), 0)).append(" s | ")
                .append(Measure.f(local.cpuPercent(), 3)).append("% | - | - | - |\n\n");
        double extra = managed.cpuPercent() - local.cpuPercent();
        double perRequest = managed.requests() == 0 ? 0 : (double) (managed.bytesIn() + managed.bytesOut()) / managed.requests();
        md.append("Check-in cost over the baseline: ").append(Measure.f(extra, 3)).append(" points of a core; target under 0.2: **")
                .append(extra < 0.2 ? "met" : "missed").append("**. Bytes per request (body sent + received): ")
                .append(Measure.f(perRequest, 0)).append(".\n\n");
        return md.toString();
    }

    private static Result once(Path home, Path root, TlsTestServer server, int seconds, String... flags) throws Exception {
        Files.createDirectories(root);
        Path conf = Files.writeString(root.resolve("hostql.conf"), SCHEDULE);
        List<String> args = new java.util.ArrayList<>(List.of("--disable_events"));
        args.addAll(List.of(flags));
        Process daemon = Measure.startHostqld(home, root, conf, args.toArray(new String[0]));
        try {
            long pid = daemon.pid();
            Thread.sleep(60_000); // warm-up: JIT, enrollment, first runs
            double cpu0 = Measure.cpuSeconds(pid);
            long requests0 = server == null ? 0 : server.requests.size();
            long in0 = server == null ? 0 : server.bytesIn.get(), out0 = server == null ? 0 : server.bytesOut.get();
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            double window = (System.nanoTime() - t0) / 1e9;
            double cpu = (Measure.cpuSeconds(pid) - cpu0) / window * 100;
            return server == null ? new Result(cpu, 0, 0, 0, window)
                    : new Result(cpu, server.requests.size() - requests0, server.bytesIn.get() - in0, server.bytesOut.get() - out0, window);
        } finally {
            daemon.destroy();
            daemon.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
