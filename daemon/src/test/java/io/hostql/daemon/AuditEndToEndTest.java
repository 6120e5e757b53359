package io.hostql.daemon;

import static io.hostql.daemon.DaemonProcess.query;
import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.publishers.audit.AuditWitness;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * process_events, socket_events and user_events from a real hostqld in owner mode on the real kernel,
 * with this test's processes as the activity and auditctl as the witness of the kernel's state.
 */
class AuditEndToEndTest {
    @TempDir
    static Path tmp;
    static OwnerModeDaemon owner;
    static DaemonProcess daemon;

    static Path config(Path dir, String options) throws Exception {
        return Files.writeString(dir.resolve("hostql-" + System.nanoTime() + ".conf"), "{\"options\": {" + options + "}}");
    }

    @BeforeAll
    static void start() throws Exception {
        owner = OwnerModeDaemon.start(config(tmp, "\"disable_audit\": false, \"audit_mode\": \"owner\", \"audit_allow_sockets\": true"),
                tmp.resolve("data"));
        daemon = owner.daemon();
    }

    @AfterAll
    static void stop() throws Exception {
        if (owner != null) owner.stop();
    }

    static void waitFor(java.util.function.BooleanSupplier cond, int seconds, String what) throws InterruptedException {
        try {
            DaemonProcess.waitFor(cond, seconds, what);
        } catch (AssertionError e) {
            StringBuilder sb = new StringBuilder();
            for (String t : List.of("process_events", "socket_events", "user_events", "hostql_event_losses")) {
                List<Object[]> r = rows("SELECT * FROM " + t + " ORDER BY rowid DESC LIMIT 10");
                sb.append("\nlast rows of ").append(t).append(":");
                for (Object[] x : r) sb.append("\n  ").append(java.util.Arrays.stream(x).map(v -> v instanceof byte[] ? text(v) : String.valueOf(v)).toList());
            }
            throw new AssertionError(e.getMessage() + sb + "\nhostqld output:\n" + daemon.output(), e);
        }
    }

    static List<Object[]> rows(String sql) {
        return query(daemon.data, sql).rows();
    }

    static String text(Object v) {
        return v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : (String) v;
    }

    @Test
    void echoIsExactlyOneProcessEventWithItsParent() throws Exception {
        assertThat(AuditWitness.ownerPid()).isEqualTo(daemon.pid());
        String marker = "hostql-" + UUID.randomUUID();
        AuditWitness.run("/bin/echo", marker);
        String where = " FROM process_events WHERE cmdline = '/bin/echo " + marker + "'";
        waitFor(() -> !rows("SELECT 1" + where).isEmpty(), 5, "the echo's process_events row");
        Thread.sleep(1500);
        List<Object[]> r = rows("SELECT path, parent, parent_path, parent_cmdline, cwd, uid, syscall, cmdline_size, mode, event_time_ms, time,"
                + " cgroup_path, uptime" + where);
        assertThat(r).hasSize(1);
        Object[] row = r.get(0);
        assertThat(text(row[0])).isEqualTo(Path.of("/bin/echo").toRealPath().toString());
        assertThat(row[1]).isEqualTo(ProcessHandle.current().pid());
        assertThat(text(row[2])).isEqualTo(Path.of(ProcessHandle.current().info().command().orElseThrow()).toRealPath().toString());
        assertThat(text(row[3])).startsWith(ProcessHandle.current().info().command().orElseThrow());
        assertThat(text(row[4])).isEqualTo(Path.of("").toAbsolutePath().toString());
        assertThat(row[5]).isEqualTo(0L);
        assertThat(row[6]).isEqualTo("execve");
        assertThat(row[7]).isEqualTo((long) ("/bin/echo " + marker).length());
        assertThat(text(row[8])).isEqualTo("0100755");
        assertThat((Long) row[9] / 1000).isBetween(System.currentTimeMillis() / 1000 - 30, System.currentTimeMillis() / 1000);
        assertThat((Long) row[10]).isBetween((Long) row[9] / 1000 - 2, (Long) row[9] / 1000 + 30);
        assertThat(text(row[11])).isNotNull();
        assertThat((Long) row[12]).isPositive();
    }

    @Test
    void aParentThatHasExitedIsStillKnown() throws Exception {
        String marker = "hostql-" + UUID.randomUUID();
        Path script = Files.writeString(tmp.resolve("parent.sh"), "/bin/echo " + marker + "\nexit 0\n");
        // hostqld is frozen while sh runs echo and exits, so when it reads the events sh is gone from /proc:
        // only the process tree, kept from sh's own exec event, can name echo's parent.
        daemon.signal("STOP");
        try {
            AuditWitness.run("/bin/sh", script.toString());
        } finally {
            daemon.signal("CONT");
        }
        String where = " FROM process_events WHERE cmdline = '/bin/echo " + marker + "'";
        waitFor(() -> !rows("SELECT 1" + where).isEmpty(), 5, "echo's row");
        Object[] row = rows("SELECT parent_path, parent_cmdline, parent" + where).get(0);
        assertThat(ProcessHandle.of((Long) row[2])).isEmpty();
        assertThat(text(row[0])).isEqualTo(Path.of("/bin/sh").toRealPath().toString());
        assertThat(text(row[1])).isEqualTo("/bin/sh " + script);
    }

    @Test
    void argumentsComeBackIntactThroughTheTable() throws Exception {
        String marker = UUID.randomUUID().toString();
        // 200 arguments, spaces, quotes and bytes that are not UTF-8 (through bash, as Java passes Strings)
        StringBuilder many = new StringBuilder();
        StringBuilder expected = new StringBuilder("/bin/true " + marker);
        for (int i = 0; i < 200; i++) {
            many.append(" a").append(i).append('-').append("z".repeat(i));
            expected.append(" a").append(i).append('-').append("z".repeat(i));
        }
        Path script = Files.writeString(tmp.resolve("args.sh"), "/bin/true " + marker + many + "\n"
                + "/bin/true " + marker + "-odd 'two words' 'a \"quoted\" one' $'\\xff\\xfe-\\xe9'\n");
        AuditWitness.run("/bin/bash", script.toString());
        waitFor(() -> rows("SELECT 1 FROM process_events WHERE cmdline LIKE '%" + marker + "-odd%'").size() == 1
                && rows("SELECT 1 FROM process_events WHERE cmdline LIKE '/bin/true " + marker + " a0-%'").size() == 1, 5, "both rows");
        Object[] longRow = rows("SELECT cmdline, cmdline_size FROM process_events WHERE cmdline LIKE '/bin/true " + marker + " a0-%'").get(0);
        assertThat(text(longRow[0])).isEqualTo(expected.toString());
        assertThat(longRow[1]).isEqualTo((long) expected.length());
        byte[] odd = ("/bin/true " + marker + "-odd two words a \"quoted\" one ").getBytes(StandardCharsets.UTF_8);
        byte[] want = java.util.Arrays.copyOf(odd, odd.length + 4);
        want[odd.length] = (byte) 0xff;
        want[odd.length + 1] = (byte) 0xfe;
        want[odd.length + 2] = '-';
        want[odd.length + 3] = (byte) 0xe9;
        assertThat(rows("SELECT hex(cmdline) FROM process_events WHERE cmdline LIKE '%" + marker + "-odd%'").get(0)[0])
                .isEqualTo(java.util.HexFormat.of().withUpperCase().formatHex(want));
    }

    @Test
    void tcpConnectAcceptAndBindAreSocketEvents() throws Exception {
        int free;
        try (ServerSocket probe = new ServerSocket(0)) {
            free = probe.getLocalPort();
        }
        // an explicit port: the kernel's bind record holds the address asked for, and port 0 asks for any
        try (ServerSocket server = new ServerSocket(free, 5, InetAddress.getByName("127.0.0.1"))) {
            int port = server.getLocalPort();
            Thread acceptor = new Thread(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().read();
                } catch (Exception ignored) {
                    // the assertions below say what is missing
                }
            });
            acceptor.start();
            String clientPort = AuditWitness.run("python3", "-c", "import socket; s = socket.create_connection(('127.0.0.1', " + port + "));"
                    + " print(s.getsockname()[1]); s.close()").strip();
            acceptor.join(5000);
            long me = ProcessHandle.current().pid();
            waitFor(() -> !rows("SELECT 1 FROM socket_events WHERE action = 'connect' AND remote_port = " + port).isEmpty(), 5, "the connect");
            Object[] connect = rows("SELECT remote_address, remote_port, local_address, local_port, family, status, path, success"
                    + " FROM socket_events WHERE action = 'connect' AND remote_port = " + port).get(0);
            assertThat(connect).containsExactly("127.0.0.1", (long) port, "", 0L, 2L, "succeeded", connect[6], 1L);
            assertThat(text(connect[6])).contains("python3");
            waitFor(() -> !rows("SELECT 1 FROM socket_events WHERE action = 'accept' AND pid = " + me).isEmpty(), 5, "the accept");
            Object[] accept = rows("SELECT remote_address, remote_port, family FROM socket_events WHERE action = 'accept' AND pid = " + me).get(0);
            // Java's server socket is dual-stack: the kernel reports the client as an IPv4-mapped IPv6 address
            assertThat(accept).containsExactly("::ffff:127.0.0.1", Long.parseLong(clientPort), 10L);
            waitFor(() -> !rows("SELECT 1 FROM socket_events WHERE action = 'bind' AND pid = " + me + " AND local_port = " + port).isEmpty(), 5, "the bind");
            Object[] bind = rows("SELECT local_address, remote_address, family FROM socket_events WHERE action = 'bind' AND local_port = " + port).get(0);
            assertThat(bind).containsExactly("::ffff:127.0.0.1", "", 10L);
        }
    }

    @Test
    void aPamSessionIsAUserEvent() throws Exception {
        AuditWitness.run("runuser", "-u", "nobody", "--", "/bin/true");
        waitFor(() -> !rows("SELECT 1 FROM user_events WHERE type = 1105 AND path LIKE '%/runuser'").isEmpty(), 5, "runuser's USER_START");
        Object[] row = rows("SELECT message, uid, pid FROM user_events WHERE type = 1105 AND path LIKE '%/runuser'").get(0);
        assertThat(text(row[0])).contains("op=PAM:session_open").contains("res=success");
        assertThat(row[1]).isEqualTo(0L);
    }

    @Test
    void nothingWasLostAndTheStatusSaysSo() throws Exception {
        AuditWitness.run("/bin/true");
        long start = System.currentTimeMillis() / 1000;
        waitFor(() -> rows("SELECT 1 FROM hostql_audit_status WHERE time > " + start).size() == 1, 10, "a fresh hostql_audit_status row");
        Object[] s = rows("SELECT mode, owner_pid, hostqld_pid, enabled, backlog_limit, kernel_lost, serial_gap_events, incomplete, process_events,"
                + " records, malformed FROM hostql_audit_status").get(0);
        assertThat(s).startsWith("owner", daemon.pid(), daemon.pid(), 1L, 8192L, 0L, 0L, 0L);
        assertThat((Long) s[8]).isPositive();
        assertThat((Long) s[9]).isGreaterThan((Long) s[8]);
        assertThat(s[10]).isEqualTo(0L);
        assertThat(rows("SELECT count, reason FROM hostql_event_losses WHERE source = 'audit'")).isEmpty();
    }
}
