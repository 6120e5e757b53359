package io.hostql.daemon;

import static io.hostql.daemon.DaemonProcess.query;
import static io.hostql.daemon.DaemonProcess.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.events.AuditRecordsEvent;
import io.hostql.events.Journal;
import io.hostql.events.JournalEntry;
import io.hostql.events.SocketEvent;
import io.hostql.publishers.audit.AuditDecoder;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit tables stay exactly-once across kill -9 now that the reader journals raw records and the
 * subscribers parse them: every connect journaled before the kill reaches socket_events once after the
 * restart, none twice, none made up. The load is this test's own UDP connects to one port.
 */
class AuditExactlyOnceEndToEndTest {
    @TempDir
    Path tmp;

    @Test
    void sigkillMidStreamThenRestartKeepsEveryJournaledConnectExactlyOnce() throws Exception {
        Path config = AuditEndToEndTest.config(tmp, "\"disable_audit\": false, \"audit_mode\": \"owner\", \"audit_allow_sockets\": true");
        Path data = tmp.resolve("data");
        long me = ProcessHandle.current().pid();
        int port = 40_000 + (int) (me % 20_000);
        String mine = "SELECT count(*) FROM socket_events WHERE pid = " + me + " AND remote_port = " + port;
        AtomicBoolean connecting = new AtomicBoolean(true);
        Thread load = new Thread(() -> {
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            try (DatagramSocket s = new DatagramSocket()) {
                for (int i = 0; connecting.get(); i++) {
                    s.connect(to);
                    s.disconnect();
                    if (i % 50 == 0) Thread.sleep(5); // a few thousand a second: far under retention's events_max
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        OwnerModeDaemon first = OwnerModeDaemon.start(config, data);
        try {
            load.start();
            waitFor(() -> count(data, mine) > 1000, 60, "connect rows to flow");
            first.daemon().kill9();
            connecting.set(false);
            load.join();
            OwnerModeDaemon second = new OwnerModeDaemon(DaemonProcess.start(config, data), first.before());
            try {
                List<Long> expected = journaledConnects(data, me, port);
                assertThat(expected).as("connects journaled before the kill").hasSizeGreaterThan(1000);
                waitFor(() -> count(data, mine) >= expected.size(), 60, "socket_events to catch up with the journal");
                Thread.sleep(500);
                List<Long> rows = new ArrayList<>();
                for (Object[] r : query(data, "SELECT audit_serial FROM socket_events WHERE pid = " + me + " AND remote_port = " + port
                        + " ORDER BY eid").rows()) rows.add((Long) r[0]);
                assertThat(rows).as("socket_events rows by audit serial, in journal order").isEqualTo(expected);
                assertThat(count(data, "SELECT count(DISTINCT eid) FROM socket_events")).isEqualTo(count(data, "SELECT count(*) FROM socket_events"));
            } finally {
                second.stop();
            }
        } finally {
            connecting.set(false);
            load.join();
            io.hostql.publishers.audit.AuditWitness.restore(first.before());
        }
    }

    static long count(Path data, String sql) {
        return (Long) query(data, sql).rows().get(0)[0];
    }

    /** The serials of this process's connects to the port, decoded from the raw records in the journal as the subscriber does. */
    static List<Long> journaledConnects(Path data, long pid, int port) {
        List<Long> out = new ArrayList<>();
        try (Journal j = Journal.open(data.resolve("journal")); Journal.Reader r = j.reader()) {
            for (JournalEntry e; (e = r.next()) != null; ) {
                if (!(e.event() instanceof AuditRecordsEvent raw) || !(AuditDecoder.syscall(raw) instanceof SocketEvent s)) continue;
                byte[] sa = s.sockaddr();
                if (s.pid() != pid || !s.syscall().equals("connect") || sa == null || sa.length < 4 || sa[0] != 2 && sa[0] != 10) continue; // AF_INET, or AF_INET6 (Java's default)
                if (((sa[2] & 0xff) << 8 | (sa[3] & 0xff)) == port) out.add(s.serial());
            }
        }
        return out;
    }
}
