package io.hostql.daemon;

import static io.hostql.daemon.DaemonProcess.waitFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hostql.loggers.FilesystemLogger;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The syslog logger plugin against a real rsyslogd (started once for the class, on a temporary socket
 * and a free loopback port): osquery's lines and headers arrive, locally and over TCP; every line
 * arrives across a receiver outage and a {@code kill -9} of hostqld; a receiver that closes mid-batch
 * costs one status line and no line.
 */
class SyslogEndToEndTest {
    static final ObjectMapper M = new ObjectMapper();
    static final int BATCH_LINES = 1000; // SinkRunner.Limits.DEFAULT.batchLines(): the most a crash may repeat

    @TempDir
    static Path shared;
    @TempDir
    Path tmp;
    static Rsyslog rsyslog;

    @BeforeAll
    static void startRsyslog() throws Exception {
        assumeTrue(Rsyslog.available(), "rsyslogd is not installed (scripts/install-deps installs it): the receiver of these tests");
        rsyslog = Rsyslog.start(shared.resolve("rsyslog"));
    }

    @AfterAll
    static void stopRsyslog() throws Exception {
        if (rsyslog != null) rsyslog.close();
    }

    /** A schedule whose every run logs three rows that never repeat (the time changes): lines are countable by row. */
    Path schedule(String name, int padding) throws IOException {
        String pad = padding > 0 ? ", printf('%." + padding + "c', 'x') AS pad" : "";
        return Files.writeString(tmp.resolve("hostql.conf"), """
                {"schedule": {
                   "%s": {"query": "SELECT t.unix_time, n.value%s FROM time t, (SELECT 1 AS value UNION ALL SELECT 2 UNION ALL SELECT 3) n",
                          "interval": 1, "removed": false},
                   "%s_status": {"query": "SELECT plugin, target, state, delivered, pending, dropped, last_error FROM hostql_logger_status",
                                 "interval": 1, "snapshot": true}
                 }}
                """.formatted(name, pad, name));
    }

    static List<String> fileLines(Path file, String name) {
        List<String> out = new ArrayList<>();
        try {
            if (!Files.exists(file)) return out;
            for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) if (l.contains("\"name\":\"" + name + "\"")) out.add(l);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    /** Result lines of the query received by rsyslog, as sent (the message is the result line exactly). */
    static List<String> received(List<Rsyslog.Message> messages, String name) {
        List<String> out = new ArrayList<>();
        for (Rsyslog.Message m : messages) if (m.msg().contains("\"name\":\"" + name + "\"")) out.add(m.msg());
        return out;
    }

    /** name, epoch, counter and row: what identifies a result line. */
    static String key(String line) {
        try {
            JsonNode n = M.readTree(line);
            return n.get("name").asText() + "/" + n.get("epoch").asLong() + "/" + n.get("counter").asLong() + "/" + n.get("columns");
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }

    static String[] flags(String target, String... more) {
        List<String> f = new ArrayList<>(List.of("--logger_plugin", "filesystem,syslog", "--logger_syslog_target", target,
                "--disable_events"));
        f.addAll(List.of(more));
        return f.toArray(new String[0]);
    }

    @Test
    void resultAndStatusLinesArriveWithOsquerysKeysAndHeadersLocallyAndOverTcpAndWaitWhileTheSocketIsGone() throws Exception {
        for (String target : List.of("unix://" + rsyslog.socket, "tcp://127.0.0.1:" + rsyslog.port)) {
            String name = target.startsWith("unix") ? "local_rows" : "tcp_rows";
            Path data = tmp.resolve("data-" + name);
            try (DaemonProcess d = DaemonProcess.start(schedule(name, 0), data, flags(target))) {
                Path results = d.logs.resolve(FilesystemLogger.RESULTS);
                waitFor(() -> received(rsyslog.messages(), name).size() >= 6, 60, "result lines at rsyslog from " + target);
                List<Rsyslog.Message> all = rsyslog.messages();
                String pid = Long.toString(d.pid());
                List<Rsyslog.Message> mine = all.stream().filter(m -> m.procid().equals(pid)).toList();
                List<Rsyslog.Message> lines = mine.stream().filter(m -> m.msg().contains("\"name\":\"" + name + "\"")).toList();
                // osquery's syslog header: ident hostqld (osqueryd), LOG_PID, facility 19 (local3), results at LOG_INFO.
                assertThat(lines).allSatisfy(m -> {
                    assertThat(m.facility()).isEqualTo(19);
                    assertThat(m.severity()).isEqualTo(6);
                    assertThat(m.program()).isEqualTo("hostqld");
                });
                if (target.startsWith("tcp")) assertThat(lines).allMatch(m -> m.msgid().equals("result"));
                // The message is the filesystem line, byte for byte, with osquery's keys in osquery's order.
                Set<String> written = new HashSet<>(fileLines(results, name));
                assertThat(lines).allMatch(m -> written.contains(m.msg()));
                JsonNode first = M.readTree(lines.get(0).msg());
                assertThat(SchedulerEndToEndTest.fieldNames(first)).containsExactly("name", "hostIdentifier", "calendarTime", "unixTime",
                        "epoch", "counter", "numerics", "columns", "action");
                // Status lines: osquery's text form at NOTICE for INFO.
                assertThat(mine).anySatisfy(m -> {
                    assertThat(m.msg()).startsWith("severity=0 location=Daemon.java:").contains("message=hostqld started");
                    assertThat(m.severity()).isEqualTo(5);
                });
                // hostql_logger_status says where lines go and that they arrive.
                waitFor(() -> fileLines(d.logs.resolve(FilesystemLogger.SNAPSHOTS), name + "_status").stream()
                        .anyMatch(l -> l.contains("\"state\":\"up\"") && !l.contains("\"delivered\":\"0\"")), 30, "hostql_logger_status to show the sink up with lines delivered");
                String status = fileLines(d.logs.resolve(FilesystemLogger.SNAPSHOTS), name + "_status").get(0);
                assertThat(status).contains("\"plugin\":\"syslog\"").contains("\"target\":\"" + target + "\"");
                if (target.startsWith("unix")) {
                    // No socket (the syslog daemon stopped): osquery's syslog(3) drops the lines; here they wait and arrive.
                    rsyslog.stop();
                    int before = fileLines(results, name).size();
                    waitFor(() -> fileLines(results, name).size() >= before + 6, 30, "lines produced while the socket is gone");
                    rsyslog.start();
                    waitFor(() -> received(rsyslog.messages(), name).containsAll(fileLines(results, name)), 60,
                            "every line at rsyslog once its socket is back");
                    assertThat(Files.readString(d.logs.resolve(StatusLog.FILE_NAME))).contains("cannot send to " + rsyslog.socket);
                }
                assertThat(d.stop()).isZero();
            }
        }
    }

    @Test
    void everyLineArrivesAcrossAReceiverOutageAndAKill9() throws Exception {
        String name = "outage_rows";
        Path conf = schedule(name, 0);
        Path data = tmp.resolve("data");
        String[] f = flags("tcp://127.0.0.1:" + rsyslog.port);
        DaemonProcess d = DaemonProcess.start(conf, data, f);
        try {
            waitFor(() -> received(rsyslog.messages(), name).size() >= 3, 60, "the first lines at rsyslog");
            rsyslog.stop();
            Path results = d.logs.resolve(FilesystemLogger.RESULTS);
            int before = fileLines(results, name).size();
            waitFor(() -> fileLines(results, name).size() >= before + 9, 30, "lines produced while rsyslog is down");
            d.kill9();
            d = DaemonProcess.start(conf, data, f);
            DaemonProcess restarted = d;
            int afterRestart = fileLines(results, name).size();
            waitFor(() -> fileLines(results, name).size() >= afterRestart + 6, 30, "lines produced after the restart");
            rsyslog.start();
            waitFor(() -> received(rsyslog.messages(), name).containsAll(fileLines(results, name)), 90, "every line written to the results file to arrive at rsyslog");
            assertThat(restarted.stop()).isZero();

            List<String> produced = fileLines(results, name);
            List<String> got = received(rsyslog.messages(), name);
            Map<String, Integer> counts = new HashMap<>();
            for (String l : got) counts.merge(key(l), 1, Integer::sum);
            Set<String> producedKeys = new HashSet<>();
            for (String l : produced) producedKeys.add(key(l));
            assertThat(counts.keySet()).containsAll(producedKeys);
            int duplicates = got.size() - counts.size();
            assertThat(duplicates).as("duplicates (at most the batch in flight at the kill)").isLessThanOrEqualTo(BATCH_LINES);
            assertThat(Files.readString(restarted.logs.resolve(StatusLog.FILE_NAME))).contains("cannot deliver to tcp://127.0.0.1:"
                    + rsyslog.port);
        } finally {
            d.close();
            rsyslog.start(); // running again for the other tests, whatever happened here (a no-op when it runs)
        }
    }

    @Test
    void aReceiverThatClosesMidBatchCostsOneStatusLineAndNoLine() throws Exception {
        String name = "midbatch_rows";
        try (BadReceiver receiver = new BadReceiver()) {
            // 8 KiB lines: a batch cannot sit whole in the receiver's small buffer, so its close hits bytes in flight.
            Path conf = schedule(name, 8000);
            try (DaemonProcess d = DaemonProcess.start(conf, tmp.resolve("data"),
                    flags("tcp://127.0.0.1:" + receiver.port(), "--logger_min_status", "3"))) {
                Path results = d.logs.resolve(FilesystemLogger.RESULTS);
                waitFor(() -> receiver.connections() >= 2 && fileLines(results, name).size() >= 9, 60, "a second connection and lines");
                waitFor(() -> received(receiver.messages(), name).containsAll(fileLines(results, name)), 60, "every line at the receiver after its bad connection");
                assertThat(d.stop()).isZero();
                String status = Files.readString(d.logs.resolve(StatusLog.FILE_NAME));
                assertThat(occurrences(status, "logger syslog: cannot deliver to")).isEqualTo(1);
                assertThat(occurrences(status, "logger syslog: delivering to")).isEqualTo(1);
            }
        }
    }

    @Test
    void aLineTooLongForADatagramIsCountedAsLostAndTheOthersArrive() throws Exception {
        String name = "beside_huge";
        Path conf = Files.writeString(tmp.resolve("hostql.conf"), """
                {"schedule": {
                   "%s": {"query": "SELECT unix_time FROM time", "interval": 1, "removed": false},
                   "huge": {"query": "SELECT printf('%%.400000c', 'x') AS blob", "interval": 1}
                 }}
                """.formatted(name));
        Path data = tmp.resolve("data");
        try (DaemonProcess d = DaemonProcess.start(conf, data, flags("unix://" + rsyslog.socket))) {
            String losses = "SELECT count, reason FROM hostql_event_losses WHERE source = 'logger:syslog'";
            waitFor(() -> !DaemonProcess.query(data, losses).rows().isEmpty(), 30, "the refused line's loss record");
            Object[] loss = DaemonProcess.query(data, losses).rows().get(0);
            assertThat(loss[0]).isEqualTo(1L);
            assertThat(loss[1].toString()).contains("result line of").contains("was refused").contains("datagram is larger than");
            Path results = d.logs.resolve(FilesystemLogger.RESULTS);
            int now = fileLines(results, name).size();
            waitFor(() -> fileLines(results, name).size() >= now + 2, 30, "lines after the long one");
            waitFor(() -> received(rsyslog.messages(), name).containsAll(fileLines(results, name)), 30, "the other lines at rsyslog");
            assertThat(d.stop()).isZero();
        }
    }

    @Test
    void anUnknownOrMissingPluginStopsTheStartNamingIt() throws Exception {
        Path conf = schedule("none", 0);
        for (String[] c : List.of(new String[] {"bogus", "unknown logger plugin 'bogus'; available: filesystem, stdout, syslog"},
                new String[] {"filesystem,aws_kinesis", "osquery's 'aws_kinesis' logger plugin is not available in hostqld yet"})) {
            Process p = new ProcessBuilder(DaemonProcess.command("io.hostql.daemon.Hostqld", "--config_path", conf.toString(),
                    "--database_path", tmp.resolve("d").toString(), "--logger_path", tmp.resolve("l").toString(), "--pidfile",
                    tmp.resolve("p").toString(), "--logger_plugin", c[0])).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(1);
            assertThat(out).contains(c[1]);
        }
    }

    static int occurrences(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) n++;
        return n;
    }

    /**
     * An RFC 6587 octet-counting receiver written in the test: its first connection reads a few bytes of
     * the first batch and closes (with bytes unread, so the kernel resets the connection); later ones
     * read every frame.
     */
    static final class BadReceiver implements AutoCloseable {
        private final ServerSocket server = new ServerSocket();
        private final List<Rsyslog.Message> messages = Collections.synchronizedList(new ArrayList<>());
        private volatile int connections;
        private final Thread thread;

        BadReceiver() throws IOException {
            server.setReceiveBufferSize(4096);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            thread = new Thread(this::serve, "bad-receiver");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        int connections() {
            return connections;
        }

        List<Rsyslog.Message> messages() {
            synchronized (messages) {
                return new ArrayList<>(messages);
            }
        }

        private void serve() {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    connections++;
                    InputStream in = s.getInputStream();
                    if (connections == 1) {
                        in.readNBytes(100); // a few bytes of the first frame, then away, with the rest unread
                        Thread.sleep(500);
                        continue;
                    }
                    while (true) {
                        byte[] frame = frame(in);
                        if (frame == null) break;
                        String m = new String(frame, StandardCharsets.UTF_8);
                        // <PRI>1 TIMESTAMP HOST APP PROCID MSGID - MSG
                        String[] f = m.split(" ", 8);
                        int pri = Integer.parseInt(f[0].substring(1, f[0].indexOf('>')));
                        messages.add(new Rsyslog.Message(pri / 8, pri % 8, f[3], f[4], f[5], f[7]));
                    }
                } catch (IOException | InterruptedException | RuntimeException e) {
                    // next connection
                }
            }
        }

        /** One octet-counted frame: digits, a space, that many bytes; null at the end of the stream. */
        private static byte[] frame(InputStream in) throws IOException {
            ByteArrayOutputStream len = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != ' ') {
                if (c < 0) return null;
                if (c < '0' || c > '9') throw new IOException("not an octet count: " + (char) c);
                len.write(c);
            }
            int n = Integer.parseInt(len.toString(StandardCharsets.US_ASCII));
            byte[] b = in.readNBytes(n);
            if (b.length < n) return null;
            return b;
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
