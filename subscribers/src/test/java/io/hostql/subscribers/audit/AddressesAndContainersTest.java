package io.hostql.subscribers.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The text socket_events and process_events derive from kernel bytes, against Java's own parsers as the witness. */
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

    @Test
    void containerIdsFromCgroupPaths() {
        String id = "4f8c2b1e9a0d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b";
        assertThat(ProcFiles.containerId("/system.slice/docker-" + id + ".scope")).isEqualTo(id);
        assertThat(ProcFiles.containerId("/docker/" + id)).isEqualTo(id);
        assertThat(ProcFiles.containerId("/kubepods.slice/kubepods-pod1.slice/cri-containerd-" + id + ".scope")).isEqualTo(id);
        assertThat(ProcFiles.containerId("/user.slice/user-0.slice/session-3.scope")).isNull();
        assertThat(ProcFiles.containerId(null)).isNull();
    }

    @Test
    void thisProcessHasACgroupAndAParent() {
        int self = (int) ProcessHandle.current().pid();
        assertThat(ProcFiles.cgroup(self)).startsWith("/");
        assertThat(ProcFiles.ppid(self)).isEqualTo((int) ProcessHandle.current().parent().orElseThrow().pid());
        assertThat(new String(ProcFiles.exe(self))).isEqualTo(ProcessHandle.current().info().command().orElseThrow());
        assertThat(ProcFiles.cmdline(Integer.MAX_VALUE - 1)).isNull();
    }
}
