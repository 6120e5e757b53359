package io.hostql.bench;

import com.sun.net.httpserver.HttpServer;
import io.hostql.opensearchnode.NodeProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Issue 11: result lines through the elasticsearch plugin into a real OpenSearch 2.19 node, and the idle
 * cost of four healthy remote sinks.
 *
 * <p>Throughput: hostqld (bin/hostqld, events off) logs one snapshot line per row while the node is
 * down, so the lines wait in the outbox; then the schedule is emptied (SIGHUP) and the node starts.
 * From the first document counted to the last is the drain; hostqld's CPU over it, per 1,000 lines, is
 * the delivery cost. Baseline, same run: a plain {@code _bulk} loop (the JDK's HttpClient, batches of
 * 1,000 of the same lines, one request at a time, each answer parsed for errors) into another index of
 * the same node.
 *
 * <p>Idle: two hostqld at once with an empty schedule for the same minute, one with the filesystem logger
 * only, one with filesystem, syslog (to rsyslogd over TCP), elasticsearch (the node), splunk_hec (an HEC
 * answer written here) and stdout; the difference of their CPU is what four idle sinks cost.
 */
final class OpenSearchThroughput {
    private OpenSearchThroughput() {}

    static String run(Path home, Path tmp, int lines, int rowsPerRun, int idleSeconds) throws Exception {
        Path root = Files.createTempDirectory(tmp, "opensearch");
        NodeProcess node = new NodeProcess(home.resolve("opensearch-node/target"), root.resolve("node"));
        String query = "SELECT t.unix_time, n.value, 'payload-of-a-typical-result-column' AS path FROM time t, "
                + "(WITH RECURSIVE c(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM c WHERE value < " + rowsPerRun + ") SELECT value FROM c) n";
        Path config = Files.writeString(root.resolve("hostql.conf"),
                "{\"schedule\": {\"burst\": {\"query\": \"" + query + "\", \"interval\": 1, \"snapshot\": true}}}");
        Path data = root.resolve("data");
        Files.createDirectories(data);
        Process daemon = Measure.startHostqld(home, data, config, "--disable_events", "--logger_plugin", "filesystem,elasticsearch",
                "--logger_elasticsearch_urls", node.url(), "--logger_elasticsearch_index", "bench-hostql",
                "--logger_snapshot_event_type", "--logger_min_status", "3", "--logger_rotate=false"); // every line in one file, counted
        LineRun hostql, baseline, baselineIds;
        long lineBytes;
        Path snapshots = data.resolve("logs/hostqld.snapshots.log");
        try {
            while (SyslogThroughput.lineCount(snapshots) < lines) Thread.sleep(200);
            LineRun.emptySchedule(daemon, config, data);
            long produced = SyslogThroughput.lineCount(snapshots);
            lineBytes = Files.size(snapshots) / Math.max(1, produced);
            node.start(300);
            // Timed from the first document: hostqld's retry back-off and the node's start are not delivery.
            while (count(node, "bench-hostql") == 0) Thread.sleep(20);
            double cpu0 = Measure.cpuSeconds(daemon.pid());
            long t0 = System.nanoTime();
            while (count(node, "bench-hostql") < produced) Thread.sleep(100);
            hostql = new LineRun(produced, (System.nanoTime() - t0) / 1e9, Measure.cpuSeconds(daemon.pid()) - cpu0);
        } finally {
            daemon.destroy();
            daemon.waitFor(30, TimeUnit.SECONDS);
        }
        try {
            List<String> same = Files.readAllLines(snapshots, StandardCharsets.UTF_8);
            baseline = bulkLoop(node, same, "bench-baseline", false);
            baselineIds = bulkLoop(node, same, "bench-baseline-ids", true);
            String idle = idle(home, root, node, idleSeconds);
            StringBuilder md = new StringBuilder("## Result lines into OpenSearch, and four idle sinks (issue 11)\n\n");
            md.append("A real hostqld (bin/hostqld, events off) logs one snapshot line per row (").append(rowsPerRun)
                    .append(" rows a second, about ").append(lineBytes).append(" bytes a line) with `--logger_plugin filesystem,elasticsearch`\n"
                    + "while the OpenSearch 2.19 node (opensearch-node, a child JVM, 512 MiB heap) is down: the lines wait in the outbox.\n"
                    + "Then the schedule is emptied (SIGHUP) and the node starts; from its first document to its last (polled with\n"
                    + "`_count` every 0.1 s, seen within the node's 1 s refresh; hostqld's retry back-off and the node's start are not\n"
                    + "counted) is the drain, and hostqld's user+system\n"
                    + "CPU over it is the delivery cost (`_bulk` batches of up to 1,000 lines, per-item statuses read, the cursor fsync'd\n"
                    + "after each). Baseline, same run: a plain `_bulk` loop of the same lines in batches of 1,000 (JDK HttpClient, one\n"
                    + "request at a time, the answer parsed) into another index of the same node, once with\n"
                    + "ids the node makes up and once with ids like hostqld's (what makes a resent batch idempotent); its CPU is the\n"
                    + "benchmark JVM's. Run with\n"
                    + "`bench/run opensearch` (`-Dopensearch.lines=N`). The machine (2 cores) was shared with other helpers' builds\n"
                    + "and tests while this ran, and the node shares the cores: take the ratios, not the absolute figures.\n\n");
            md.append("| sender | lines | seconds | lines/s | sender CPU per 1,000 lines |\n|---|---|---|---|---|\n");
            hostql.row(md, "hostqld (outbox → elasticsearch `_bulk`)");
            baseline.row(md, "plain `_bulk` loop, ids by the node (baseline)");
            baselineIds.row(md, "plain `_bulk` loop, ids like hostqld's (baseline)");
            md.append("\nRatio hostqld / plain loop with ids like hostqld's: throughput ").append(Measure.f(hostql.perSecond() / baselineIds.perSecond(), 2))
                    .append("×, CPU per line ").append(Measure.f(hostql.cpuMsPer1000() / Math.max(1e-9, baselineIds.cpuMsPer1000()), 2))
                    .append("× (against the loop with the node's ids: throughput ").append(Measure.f(hostql.perSecond() / baseline.perSecond(), 2))
                    .append("×, CPU per line ").append(Measure.f(hostql.cpuMsPer1000() / Math.max(1e-9, baseline.cpuMsPer1000()), 2)).append("×)")
                    .append(". The documents in the index after the drain: ")
                    .append(count(node, "bench-hostql")).append(" for ")
                    .append(hostql.lines()).append(" lines produced.\n\n");
            md.append("Where the rest goes: hostqld sends one batch at a time and, between two, reads the outbox, computes each\n"
                    + "document's id and `@timestamp`, reads the per-item answer and fsyncs its cursor; the loop only writes. What\n"
                    + "separates the two baselines is the node's lookup of an id given by the sender: the price of retries that\n"
                    + "do not duplicate.\n\n");
            md.append(idle);
            return md.toString();
        } finally {
            node.stop();
        }
    }

    /**
     * The baseline: the same lines, 1,000 a request, each answer checked; with ids, each document gets an
     * _id as hostqld's (a SHA-256 of a sequence number and the line); without, the node makes one up. Its
     * CPU is this JVM's, which does nothing else meanwhile (the HttpClient's own threads count too).
     */
    private static LineRun bulkLoop(NodeProcess node, List<String> lines, String index, boolean ids) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long pid = ProcessHandle.current().pid();
        double cpu0 = Measure.cpuSeconds(pid);
        long t0 = System.nanoTime();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < lines.size(); i += 1000) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (int j = i; j < Math.min(lines.size(), i + 1000); j++) {
                byte[] line = lines.get(j).getBytes(StandardCharsets.UTF_8);
                String id = "";
                if (ids) {
                    sha.update(ByteBuffer.allocate(8).putLong(j).array());
                    id = ",\"_id\":\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(sha.digest(line), 18)) + "\"";
                }
                body.writeBytes(("{\"create\":{\"_index\":\"" + index + "\"" + id + "}}\n").getBytes(StandardCharsets.UTF_8));
                body.writeBytes(line);
                body.write('\n');
            }
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(node.url() + "/_bulk"))
                    .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200 || r.body().contains("\"errors\":true")) {
                throw new IOException("baseline _bulk failed: " + r.statusCode() + " " + r.body().substring(0, Math.min(300, r.body().length())));
            }
        }
        return new LineRun(lines.size(), (System.nanoTime() - t0) / 1e9, Measure.cpuSeconds(pid) - cpu0);
    }

    /**
     * Documents the index shows (refreshed once a second by the node itself). No forced refresh: one per poll
     * would make a segment each time and slow the node down for hostqld's writes only, not the baseline's.
     */
    private static long count(NodeProcess node, String index) throws IOException {
        HttpResponse<String> r = node.request("GET", "/" + index + "/_count?ignore_unavailable=true", null);
        if (r.statusCode() != 200) return 0;
        int at = r.body().indexOf("\"count\":");
        if (at < 0) return 0;
        int end = at + 8;
        while (end < r.body().length() && Character.isDigit(r.body().charAt(end))) end++;
        return Long.parseLong(r.body().substring(at + 8, end));
    }

    /** Two daemons side by side for the same minute: filesystem only, and four healthy remote sinks besides. */
    private static String idle(Path home, Path root, NodeProcess node, int seconds) throws Exception {
        Path conf = Files.writeString(root.resolve("idle.conf"), "{}");
        int syslogPort;
        try (ServerSocket s = new ServerSocket(0)) {
            syslogPort = s.getLocalPort();
        }
        Path rsyslogConf = Files.writeString(root.resolve("rsyslog.conf"), """
                global(workDirectory="%s")
                module(load="imtcp")
                input(type="imtcp" address="127.0.0.1" port="%d")
                *.* action(type="omfile" file="%s")
                """.formatted(root, syslogPort, root.resolve("rsyslog-received")));
        Process rsyslog = new ProcessBuilder("/usr/sbin/rsyslogd", "-n", "-f", rsyslogConf.toString(), "-i", root.resolve("rsyslogd.pid").toString())
                .redirectErrorStream(true).redirectOutput(root.resolve("rsyslogd.out").toFile()).start();
        HttpServer hec = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        hec.createContext("/services/collector/event", x -> {
            x.getRequestBody().readAllBytes();
            byte[] ok = "{\"text\":\"Success\",\"code\":0}".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, ok.length);
            x.getResponseBody().write(ok);
            x.close();
        });
        hec.start();
        Path token = Files.writeString(root.resolve("hec-token"), "bench-token\n");
        Path plain = root.resolve("idle-filesystem"), four = root.resolve("idle-four");
        Files.createDirectories(plain);
        Files.createDirectories(four);
        Process a = null, b = null;
        try {
            Thread.sleep(2000); // rsyslogd listening
            a = Measure.startHostqld(home, plain, conf, "--disable_events", "--logger_plugin", "filesystem");
            b = Measure.startHostqld(home, four, conf, "--disable_events", "--logger_plugin", "filesystem,syslog,elasticsearch,splunk_hec,stdout",
                    "--logger_syslog_target", "tcp://127.0.0.1:" + syslogPort, "--logger_elasticsearch_urls", node.url(),
                    "--logger_splunk_url", "http://127.0.0.1:" + hec.getAddress().getPort(), "--logger_splunk_token_file", token.toString());
            Thread.sleep(15_000); // past the start: JIT, the first status lines delivered
            double a0 = Measure.cpuSeconds(a.pid()), b0 = Measure.cpuSeconds(b.pid());
            Thread.sleep(seconds * 1000L);
            double ca = Measure.cpuSeconds(a.pid()) - a0, cb = Measure.cpuSeconds(b.pid()) - b0;
            double pa = ca / seconds * 100, pb = cb / seconds * 100;
            return "Idle, same run: two hostqld side by side for " + seconds + " s with an empty schedule (events off), after 15 s to settle.\n\n"
                    + "| hostqld | CPU over " + seconds + " s | % of a core |\n|---|---|---|\n"
                    + "| filesystem logger only | " + Measure.f(ca, 2) + " s | " + Measure.f(pa, 3) + " % |\n"
                    + "| filesystem + syslog (rsyslogd TCP) + elasticsearch (the node) + splunk_hec (an HEC answer) + stdout | "
                    + Measure.f(cb, 2) + " s | " + Measure.f(pb, 3) + " % |\n\n"
                    + "Four idle sinks cost " + Measure.f(pb - pa, 3) + " % of a core (target: under 0.2 %). An idle sink's thread waits on the"
                    + " outbox's append signal with a 1 s timeout; nothing polls the receivers.\n\n";
        } finally {
            for (Process p : new Process[] {a, b}) {
                if (p != null) {
                    p.destroy();
                    p.waitFor(30, TimeUnit.SECONDS);
                }
            }
            hec.stop(0);
            rsyslog.destroy();
            rsyslog.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
