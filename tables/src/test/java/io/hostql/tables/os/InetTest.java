package io.hostql.tables.os;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Expected texts are what glibc's inet_ntop/inet_pton/inet_aton give for the same input. */
class InetTest {
    private static String canon6(String s) {
        byte[] b = Inet.pton6(s);
        return b == null ? null : Inet.ntop6(b, 0);
    }

    private static String aton(String s) {
        Long v = Inet.aton(s);
        return v == null ? null : (v >>> 24) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
    }

    @Test
    void ipv6TextLikeInetNtop() {
        assertThat(canon6("::")).isEqualTo("::");
        assertThat(canon6("::1")).isEqualTo("::1");
        assertThat(canon6("1::")).isEqualTo("1::");
        assertThat(canon6("2001:db8:0:0:1:0:0:1")).isEqualTo("2001:db8::1:0:0:1");
        assertThat(canon6("2001:db8:0:1:1:1:1:1")).isEqualTo("2001:db8:0:1:1:1:1:1");
        assertThat(canon6("::ffff:192.0.2.1")).isEqualTo("::ffff:192.0.2.1");
        assertThat(canon6("::192.0.2.1")).isEqualTo("::192.0.2.1");
        assertThat(canon6("FE80:0:0:0:00fc:ff:fe00:1")).isEqualTo("fe80::fc:ff:fe00:1");
        assertThat(canon6("::ffff:0:1.2.3.4")).isEqualTo("::ffff:0:102:304");
        assertThat(canon6("0:0:0:0:0:1:0:0")).isEqualTo("::1:0:0");
        assertThat(canon6("1:2:3:4:5:6:7::")).isEqualTo("1:2:3:4:5:6:7:0");
        assertThat(canon6("::1:2:3:4:5:6:7")).isEqualTo("0:1:2:3:4:5:6:7");
        assertThat(canon6("1:2:3:4:5:6:1.2.3.4")).isEqualTo("1:2:3:4:5:6:102:304");
    }

    @Test
    void ipv6ParseRejectsWhatInetPtonRejects() {
        for (String bad : new String[] {":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "::1.2.3", "1.2.3.4",
                "::01.2.3.4", "g::", ":1::", "1:", "", "1:2:3:4:5:6:7"}) {
            assertThat(Inet.pton6(bad)).as(bad).isNull();
        }
    }

    @Test
    void ipv4LikeInetAton() {
        assertThat(aton("10.1")).isEqualTo("10.0.0.1");
        assertThat(aton("0x7f.1")).isEqualTo("127.0.0.1");
        assertThat(aton("010.0.0.1")).isEqualTo("8.0.0.1");
        assertThat(aton("4294967295")).isEqualTo("255.255.255.255");
        assertThat(aton("1.0x10000")).isEqualTo("1.1.0.0");
        assertThat(aton("1.2.65535")).isEqualTo("1.2.255.255");
        for (String bad : new String[] {"1.2.3.256", "1.2.3.4.", "1..2", "0x", "0x.1", "08.1.1.1", "1.2.65536", "", "a.b.c.d"}) {
            assertThat(aton(bad)).as(bad).isNull();
        }
    }

    @Test
    void prefixLengths() {
        assertThat(Inet.prefixLength(new byte[] {-1, -1, -16, 0}, 0, 4)).isEqualTo(20);
        assertThat(Inet.prefixLength(new byte[] {0, 0, 0, 24}, 0, 4)).isEqualTo(-1);
        assertThat(Inet.prefixLength(new byte[4], 0, 4)).isZero();
    }
}
