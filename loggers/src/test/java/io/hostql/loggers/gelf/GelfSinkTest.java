package io.hostql.loggers.gelf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hostql.config.Settings;
import io.hostql.config.SettingsException;
import io.hostql.events.Journal;
import io.hostql.loggers.StatusLines;
import io.hostql.loggers.delivery.Delivery;
import io.hostql.loggers.delivery.Sink;
import io.hostql.loggers.delivery.SinkRunner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gelf plugin through the delivery layer (outbox, cursor, retries) against a GELF receiver
 * written here from the GELF 1.1 specification (there is no Graylog on these machines): a TCP server
 * that reads null-byte terminated JSON messages and checks each against the spec's rules (version
 * 1.1; host, short_message required; timestamp a number; level a number; additional fields named
 * {@code ^_[\w\.\-]*$}, never {@code _id}, valued strings or numbers).
 */
class GelfSinkTest {
    static final ObjectMapper M = new ObjectMapper();
    static final Pattern FIELD = Pattern.compile("^[\\w.\\-]*$");
    static final Set<String> STANDARD = Set.of("version", "host", "short_message", "full_message", "timestamp", "level", "facility", "line", "file");
    @TempDir
    Path tmp;

    /** A GELF TCP input: every connection's null-terminated messages, checked, kept in order. */
    static final class Receiver implements AutoCloseable {
        final List<JsonNode> messages = Collections.synchronizedList(new ArrayList<>());
        final List<String> violations = Collections.synchronizedList(new ArrayList<>());
        private final ServerSocket server;
        private final List<Socket> connections = Collections.synchronizedList(new ArrayList<>());

        Receiver(int port) throws IOException {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            Thread t = new Thread(this::serve, "gelf-receiver");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    connections.add(s);
                    Thread t = new Thread(() -> read(s), "gelf-connection");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        private void read(Socket s) {
            try (s; InputStream in = s.getInputStream()) {
                ByteArrayOutputStream m = new ByteArrayOutputStream();
                for (int b = in.read(); b >= 0 && !server.isClosed(); b = in.read()) {
                    if (b != 0) {
                        m.write(b);
                        continue;
                    }
                    JsonNode n = M.readTree(m.toByteArray());
                    check(n);
                    messages.add(n);
                    m.reset();
                }
            } catch (IOException e) {
                // the connection ends; the sender reconnects
            }
        }

        /** GELF 1.1's rules for a message. */
        private void check(JsonNode n) {
            if (!"1.1".equals(n.path("version").asText())) violations.add("version not 1.1: " + n);
            if (!n.path("host").isTextual() || n.get("host").asText().isEmpty()) violations.add("no host: " + n);
            if (!n.path("short_message").isTextual() || n.get("short_message").asText().isEmpty()) violations.add("no short_message: " + n);
            if (n.has("timestamp") && !n.get("timestamp").isNumber()) violations.add("timestamp not a number: " + n);
            if (n.has("level") && !n.get("level").isNumber()) violations.add("level not a number: " + n);
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> f = it.next();
                if (STANDARD.contains(f.getKey())) continue;
                if (!f.getKey().startsWith("_") || !FIELD.matcher(f.getKey()).matches() || f.getKey().equals("_id")) {
                    violations.add("bad additional field name " + f.getKey());
                }
                if (!f.getValue().isTextual() && !f.getValue().isNumber()) violations.add("field " + f.getKey() + " is neither string nor number");
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            // As a collector that stops: its connections close with it. Bytes the sender wrote before this
            // are in the receiver's kernel buffer, acknowledged and unread: TCP's own gap (see AckedTcpStream).
            synchronized (connections) {
                for (Socket s : connections) s.close();
            }
        }
    }

    static Sink sink(int port) {
        return GelfSink.create(Settings.parse(new String[] {"--logger_gelf_target", "tcp://127.0.0.1:" + port}, Map.of()));
    }

    static String resultLine(String name, int counter, String columns) {
        return "{\"name\":\"" + name + "\",\"hostIdentifier\":\"web1\",\"calendarTime\":\"Sun Dec  6 17:00:00 2026 UTC\",\"unixTime\":1796576400,"
                + "\"epoch\":0,\"counter\":" + counter + ",\"numerics\":false,\"columns\":" + columns + ",\"action\":\"added\"}";
    }

    static void waitFor(BooleanSupplier cond, String what) throws InterruptedException {
        long end = System.nanoTime() + 60_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    @Test
    void resultAndStatusLinesArriveAsGelfWithTheColumnsAsAdditionalFields() throws Exception {
        try (Journal events = Journal.open(tmp.resolve("journal")); Receiver r = new Receiver(0);
                Delivery d = Delivery.start(null, List.of(sink(r.port())), tmp.resolve("outbox"), events, SinkRunner.Limits.DEFAULT)) {
            String line = resultLine("processes", 3, "{\"pid\":\"42\",\"id\":\"7\",\"cmd line\":\"/bin/sh -c x\",\"path\":\"/bin/sh\"}");
            d.logResults(List.of(line));
            d.logStatus(StatusLines.json("web1", 1796576401, 1, "Daemon.java", 12, "disk is slow", "5.0.0"));
            waitFor(() -> r.messages.size() == 2, "two GELF messages");
            assertThat(r.violations).isEmpty();
            JsonNode m = r.messages.get(0);
            assertThat(m.get("host").asText()).isEqualTo("web1");
            assertThat(m.get("short_message").asText()).isEqualTo("processes added");
            assertThat(m.get("full_message").asText()).isEqualTo(line);
            assertThat(m.get("timestamp").asLong()).isEqualTo(1796576400L);
            assertThat(m.get("level").asInt()).isEqualTo(6);
            assertThat(m.get("_pid").asText()).isEqualTo("42");
            assertThat(m.get("_path").asText()).isEqualTo("/bin/sh");
            assertThat(m.get("_cmd_line").asText()).isEqualTo("/bin/sh -c x");
            assertThat(m.get("_column_id").asText()).isEqualTo("7");
            assertThat(m.has("_id")).isFalse();
            assertThat(m.get("_osquery_name").asText()).isEqualTo("processes");
            assertThat(m.get("_osquery_counter").asLong()).isEqualTo(3);
            JsonNode status = r.messages.get(1);
            assertThat(status.get("short_message").asText()).isEqualTo("disk is slow");
            assertThat(status.get("level").asInt()).as("WARNING is syslog's 4").isEqualTo(4);
            assertThat(status.get("_osquery_location").asText()).isEqualTo("Daemon.java:12");
        }
    }

    @Test
    void aReceiverThatIsDownAndComesBackOnItsPortLosesNoLine() throws Exception {
        Receiver first = new Receiver(0);
        int port = first.port();
        try (Journal events = Journal.open(tmp.resolve("journal"));
                Delivery d = Delivery.start(null, List.of(sink(port)), tmp.resolve("outbox"), events,
                        new SinkRunner.Limits(0, 0, 1000, 1 << 20, 1000))) {
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 5; i++) sent.add(resultLine("q", i, "{\"n\":\"" + i + "\"}"));
            d.logResults(sent.subList(0, 5));
            waitFor(() -> first.messages.size() == 5, "the first lines");
            first.close();
            List<String> more = new ArrayList<>();
            for (int i = 5; i < 200; i++) more.add(resultLine("q", i, "{\"n\":\"" + i + "\"}"));
            d.logResults(more);
            sent.addAll(more);
            waitFor(() -> d.status().get(0).state().equals("down"), "the sink to be down");
            try (Receiver again = new Receiver(port)) {
                waitFor(() -> {
                    Set<String> got = new HashSet<>();
                    for (JsonNode n : List.copyOf(first.messages)) got.add(n.get("full_message").asText());
                    for (JsonNode n : List.copyOf(again.messages)) got.add(n.get("full_message").asText());
                    return got.containsAll(sent);
                }, "every line once the receiver is back");
                assertThat(again.violations).isEmpty();
                assertThat(d.status().get(0).state()).isEqualTo("up");
            }
        }
    }

    @Test
    void columnNamesFollowGelfsFieldRulesAndBadTargetsAreRefused() {
        assertThat(GelfFormat.columnField("pid")).isEqualTo("_pid");
        assertThat(GelfFormat.columnField("id")).isEqualTo("_column_id");
        assertThat(GelfFormat.columnField("a b/c:d")).isEqualTo("_a_b_c_d");
        assertThat(GelfFormat.columnField("x.y-z")).isEqualTo("_x.y-z");
        assertThatThrownBy(() -> GelfSink.create(Settings.parse(new String[] {"--logger_gelf_target", "udp://g:12201"}, Map.of())))
                .isInstanceOf(SettingsException.class).hasMessageContaining("expected tcp://host:port or tls://host:port");
        assertThat(GelfSink.create(Settings.parse(new String[] {"--logger_gelf_target", "tcp://graylog"}, Map.of())).target())
                .isEqualTo("tcp://graylog:12201");
        byte[] m = new GelfFormat("h").message(new io.hostql.events.LogLineEvent(0, 1, 0, io.hostql.events.LogLineEvent.Kind.RESULT,
                "{\"name\":\"q\",\"columns\":{\"v\":\"a\\u0000b\"}}".getBytes(StandardCharsets.UTF_8)));
        assertThat(m).doesNotContain((byte) 0); // the frame delimiter never appears inside a message
    }
}
