package io.hostql.subscribers.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The text socket_events derives from kernel bytes, against Java's own parsers as the witness (the /proc reads: os.proc.ProcFsTest). */
class AddressesAndContainersTest {
    static String v6(String text) throws Exception {
        byte[] sa = new byte[28];
        System.arraycopy(InetAddress.getByName(text).getAddress(), 0, sa, 8, 16);
        return SocketEventsSubscriber.ipv6(sa, 8);
    }

    @Test
    void ipv6IsRfc5952Text() throws Exception {
        assertThat(v6("::1")).isEqualTo("::1");
        assertThat(v6("::")).isEqualTo("::");
        assertThat(v6("fe80::1:2")).isEqualTo("fe80::1:2");
        assertThat(v6("2001:db8:0:0:1:0:0:1")).isEqualTo("2001:db8::1:0:0:1"); // the first of two equal runs
        assertThat(v6("2001:db8:0:1:1:1:1:1")).isEqualTo("2001:db8:0:1:1:1:1:1"); // a single zero group stays
        assertThat(v6("1::")).isEqualTo("1::");
        byte[] mapped = new byte[28];
        mapped[18] = mapped[19] = (byte) 0xff;
        mapped[20] = 127;
        mapped[23] = 1;
        assertThat(SocketEventsSubscriber.ipv6(mapped, 8)).isEqualTo("::ffff:127.0.0.1");
    }

    static io.hostql.events.SocketEvent connect(long fd, int a, int b, int c, int d, int port) {
        byte[] sa = {2, 0, (byte) (port >> 8), (byte) port, (byte) a, (byte) b, (byte) c, (byte) d, 0, 0, 0, 0, 0, 0, 0, 0};
        return new io.hostql.events.SocketEvent(1, 1000, 1, "connect", true, 0, 5, 1, 0, 0, 0, 0, 0, "/bin/x".getBytes(), "x".getBytes(), fd, sa, 0);
    }

    /** The subscriber reuses the last address and fd text while they repeat: each row still has its own event's. */
    @Test
    void ipv4AndFdOfEachEventWhetherTheyRepeatOrNot() {
        SocketEventsSubscriber sockets = new SocketEventsSubscriber(null, null, new SocketEventsSubscriber.Options(false, false, false));
        Object[][] given = {{3L, new int[] {127, 0, 0, 1}}, {3L, new int[] {127, 0, 0, 1}}, {4L, new int[] {127, 0, 0, 1}},
                {4L, new int[] {10, 1, 255, 0}}, {-1L, new int[] {0, 0, 0, 0}}, {3L, new int[] {127, 0, 0, 1}}};
        for (Object[] g : given) {
            int[] ip = (int[]) g[1];
            java.util.List<Object> row = java.util.Arrays.asList(sockets.row(connect((Long) g[0], ip[0], ip[1], ip[2], ip[3], 53)).values());
            String text = ip[0] + "." + ip[1] + "." + ip[2] + "." + ip[3];
            assertThat(row).as(text).contains(text, Long.toString((Long) g[0]));
        }
    }
}
