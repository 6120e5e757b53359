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
}
