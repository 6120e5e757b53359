package io.hostql.tables.process;

import static io.hostql.tables.TableTests.generateWhere;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static io.hostql.tables.process.ProcessTestSupport.selfPid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hostql.os.Libc;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SocketTablesTest {
    private static String ownNetNamespace() throws Exception {
        String link = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString(); // net:[4026531840]
        return link.substring(link.indexOf('[') + 1, link.length() - 1);
    }

    /** An AF_INET listener (java.net.ServerSocket would make a dual-stack AF_INET6 one). */
    private static ServerSocketChannel listen4() throws java.io.IOException {
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.INET);
        ch.bind(new InetSocketAddress("127.0.0.1", 0));
        return ch;
    }

    private static int port(ServerSocketChannel ch) throws java.io.IOException {
        return ((InetSocketAddress) ch.getLocalAddress()).getPort();
    }

    @Test
    void listeningPortsHasOurServerSocketWithPidAndFdAsSsSeesIt() throws Exception {
        try (ServerSocketChannel server = listen4()) {
            int port = port(server);
            List<Map<String, Object>> r = rows("SELECT * FROM listening_ports WHERE port = ? AND protocol = 6", port);
            assertThat(r).hasSize(1);
            Map<String, Object> row = r.get(0);
            assertThat(row.get("pid")).isEqualTo(selfPid());
            assertThat(row.get("protocol")).isEqualTo(6L);
            assertThat(row.get("family")).isEqualTo(2L);
            assertThat(row.get("address")).isEqualTo("127.0.0.1");
            assertThat(row.get("net_namespace")).isEqualTo(ownNetNamespace());
            assertThat(row.get("path")).isNull();
            assertThat((Long) row.get("socket")).isPositive();
            String fdLink = Files.readSymbolicLink(Path.of("/proc/self/fd/" + row.get("fd"))).toString();
            assertThat(fdLink).isEqualTo("socket:[" + row.get("socket") + "]");

            assumeTrue(hasCommand("ss"), "needs ss (iproute2) as witness");
            String ss = run("ss", "-ltnpH", "sport = :" + port);
            Matcher m = Pattern.compile("pid=(\\d+),fd=(\\d+)").matcher(ss);
            assertThat(m.find()).as("ss output: " + ss).isTrue();
            assertThat(row.get("pid")).isEqualTo(Long.parseLong(m.group(1)));
            assertThat(row.get("fd")).isEqualTo(Long.parseLong(m.group(2)));
        }
    }

    @Test
    void listeningTcpPortsMatchSs() throws Exception {
        assumeTrue(hasCommand("ss"), "needs ss (iproute2) as witness");
        String ns = ownNetNamespace();
        try (ServerSocketChannel server = listen4()) {
            for (int attempt = 0; ; attempt++) { // a service may open or close a port between the two readings
                Set<Long> ours = rows("SELECT DISTINCT port FROM listening_ports WHERE protocol = 6 AND net_namespace = ?", ns)
                        .stream().map(x -> (Long) x.get("port")).collect(Collectors.toSet());
                Set<Long> ss = new HashSet<>();
                for (String line : run("ss", "-ltnH").lines().toList()) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length < 4) continue;
                    ss.add(Long.parseLong(f[3].substring(f[3].lastIndexOf(':') + 1)));
                }
                // osquery's rule also counts bound TCP sockets that are not listening (no remote port).
                Set<Long> boundNotListening = rows("SELECT DISTINCT local_port FROM process_open_sockets WHERE protocol = 6"
                        + " AND remote_port = 0 AND state != 'LISTEN' AND family IN (2, 10) AND net_namespace = ?", ns)
                        .stream().map(x -> (Long) x.get("local_port")).collect(Collectors.toSet());
                Set<Long> expected = new HashSet<>(ss);
                expected.addAll(boundNotListening);
                if (attempt < 2 && !ours.equals(expected)) continue;
                assertThat(ss).contains((long) port(server));
                assertThat(ours).isEqualTo(expected);
                break;
            }
        }
    }

    @Test
    void openSocketsShowBothEndsOfAConnection() throws Exception {
        try (ServerSocketChannel server = listen4();
                SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET)) {
            client.connect(server.getLocalAddress());
            SocketChannel accepted = server.accept();
            int sport = port(server);
            int cport = ((InetSocketAddress) client.getLocalAddress()).getPort();
            List<Map<String, Object>> r = rows("SELECT * FROM process_open_sockets WHERE pid = ? AND family = 2 AND protocol = 6"
                    + " AND (local_port = ? OR remote_port = ?)", selfPid(), sport, sport);
            assertThat(r).extracting(x -> x.get("local_port") + ">" + x.get("remote_port") + " " + x.get("state"))
                    .containsExactlyInAnyOrder(sport + ">0 LISTEN", cport + ">" + sport + " ESTABLISHED",
                            sport + ">" + cport + " ESTABLISHED");
            for (Map<String, Object> x : r) {
                assertThat(x.get("local_address")).isEqualTo("127.0.0.1");
                assertThat(x.get("remote_address")).isEqualTo(x.get("remote_port").equals(0L) ? "0.0.0.0" : "127.0.0.1");
                assertThat(x.get("path")).isEqualTo("");
                assertThat(x.get("net_namespace")).isEqualTo(ownNetNamespace());
                String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + x.get("fd"))).toString();
                assertThat(link).isEqualTo("socket:[" + x.get("socket") + "]");
            }
            if (hasCommand("ss")) {
                assertThat(run("ss", "-tnH", "state", "established", "sport = :" + cport)).contains("127.0.0.1:" + sport);
            }
            accepted.close();
        }
    }

    @Test
    void ipv6AndUnixSockets(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("hostql test.sock");
        try (ServerSocketChannel unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            unix.bind(UnixDomainSocketAddress.of(sock));
            List<Map<String, Object>> r = rows("SELECT * FROM process_open_sockets WHERE pid = ? AND family = 1 AND path = ?",
                    selfPid(), sock.toString());
            assertThat(r).hasSize(1);
            assertThat(r.get(0).get("protocol")).isEqualTo(0L);
            assertThat(r.get(0).get("local_port")).isEqualTo(0L);
            List<Map<String, Object>> l = rows("SELECT * FROM listening_ports WHERE path = ?", sock.toString());
            assertThat(l).hasSize(1);
            assertThat(l.get(0).get("pid")).isEqualTo(selfPid());
            assertThat(l.get(0).get("family")).isEqualTo(1L);
            assertThat(l.get(0).get("port")).isEqualTo(0L);
            assertThat(l.get(0).get("socket")).isEqualTo(0L); // as osquery, for unix sockets
            assertThat(l.get(0).get("address")).isNull();
        }
        InetAddress v6;
        try {
            v6 = InetAddress.getByName("::1");
            new ServerSocket(0, 1, v6).close();
        } catch (java.io.IOException e) {
            assumeTrue(false, "no IPv6 loopback here: " + e.getMessage());
            return;
        }
        try (ServerSocket server = new ServerSocket(0, 50, v6)) {
            List<Map<String, Object>> r = rows("SELECT * FROM listening_ports WHERE port = ? AND family = 10", server.getLocalPort());
            assertThat(r).extracting(x -> x.get("address") + " " + x.get("pid"))
                    .containsExactly("::1 " + selfPid());
        }
    }

    @Test
    void pidFilterKeepsOnlyThatProcessesSockets() throws Exception {
        try (ServerSocketChannel server = listen4()) {
            List<Map<String, Object>> mine = generateWhere(new ProcessOpenSocketsTable(), "pid", selfPid());
            assertThat(mine).isNotEmpty().allSatisfy(x -> assertThat(x.get("pid")).isEqualTo(selfPid()));
            assertThat(mine).anySatisfy(x -> assertThat(x.get("local_port")).isEqualTo((long) port(server)));
            // pid = -1 means "also the sockets nobody holds", which takes every process.
            List<Map<String, Object>> all = generateWhere(new ProcessOpenSocketsTable(), "pid", -1L);
            assertThat(all.size()).isGreaterThanOrEqualTo(mine.size());
            assertThat(all).anySatisfy(x -> assertThat(x.get("pid")).isNotEqualTo(selfPid()));
        }
    }

    @Test
    void decodesKernelAddressesAsInetNtop() {
        byte[] line = ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
                + "   0: 0100007F:0035 00000000:0000 0A 00000000:00000000 00:00000000 00000000   101        0 12345 1 0\n"
                + "   1: 0100007F:1F90 0200007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 0 1 0\n"
                + "   2: short line\n").getBytes(StandardCharsets.US_ASCII);
        List<NetSockets.Socket> out = new ArrayList<>();
        NetSockets.parseInet(line, Libc.AF_INET, 6, "7", out);
        assertThat(out).hasSize(2);
        assertThat(out.get(0).localAddress()).isEqualTo("127.0.0.1");
        assertThat(out.get(0).localPort()).isEqualTo(53);
        assertThat(out.get(0).state()).isEqualTo("LISTEN");
        assertThat(out.get(0).inode()).isEqualTo(12345);
        assertThat(out.get(1).remoteAddress()).isEqualTo("127.0.0.2");
        assertThat(out.get(1).remotePort()).isEqualTo(50000);
        assertThat(out.get(1).state()).isEqualTo("ESTABLISHED");

        assertThat(v6("00000000000000000000000001000000")).isEqualTo("::1");
        assertThat(v6("00000000000000000000000000000000")).isEqualTo("::");
        assertThat(v6("0000000000000000FFFF00000100007F")).isEqualTo("::ffff:127.0.0.1");
        assertThat(v6("000080FE00000000FF605A02D2D3A9FE")).isEqualTo("fe80::25a:60ff:fea9:d3d2");
        assertThat(v6("B80D0120000000000000000001000000")).isEqualTo("2001:db8::1");
        assertThat(v6("B80D0120010000000100000001000000")).isEqualTo("2001:db8:0:1:0:1:0:1");
        assertThat(v6("xyz")).isEqualTo("");
    }

    private static String v6(String hex) {
        byte[] b = hex.getBytes(StandardCharsets.US_ASCII);
        return NetSockets.address(b, 0, b.length, Libc.AF_INET6);
    }

    @Test
    void parsesUnixAndPacketTables() {
        byte[] unix = ("Num       RefCount Protocol Flags    Type St Inode Path\n"
                + "0000000000000000: 00000002 00000000 00010000 0001 01 11111 /run/with space.sock\n"
                + "0000000000000000: 00000003 00000000 00000000 0001 03   584\n"
                + "0000000000000000: 00000002 00000000 00010000 0001 01 22222 @abstract\n").getBytes(StandardCharsets.UTF_8);
        List<NetSockets.Socket> out = new ArrayList<>();
        NetSockets.parseUnix(unix, "9", out);
        assertThat(out).extracting(s -> s.inode() + "=" + new String(s.path(), StandardCharsets.UTF_8))
                .containsExactly("11111=/run/with space.sock", "584=", "22222=@abstract");
        byte[] packet = ("sk               RefCnt Type Proto  Iface R Rmem   User   Inode\n"
                + "0000000000000000 3      3    0003   2     1 0      0      33333\n").getBytes(StandardCharsets.UTF_8);
        out.clear();
        NetSockets.parsePacket(packet, "9", out);
        assertThat(out).hasSize(1);
        assertThat(out.get(0).protocol()).isEqualTo(3);
        assertThat(out.get(0).inode()).isEqualTo(33333);
        assertThat(out.get(0).state()).isEqualTo("NONE");
    }
}
