package io.hostql.tables.process;

import static io.hostql.os.Libc.AF_INET;
import static io.hostql.os.Libc.AF_INET6;
import static io.hostql.os.Libc.AF_PACKET;
import static io.hostql.os.Libc.AF_UNIX;

import io.hostql.os.proc.ProcFs;
import io.hostql.tables.os.Inet;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sockets of processes, as osquery correlates them: socket inodes from /proc/PID/fd links, and
 * socket details from /proc/PID/net/{icmp,tcp,udp,udplite,raw}[6], unix and packet, read once per
 * network namespace.
 */
final class NetSockets {

    /** osquery's order and protocol numbers: each protocol's IPv4 file, then its IPv6 file. */
    private static final String[] INET_FILES = {"icmp", "tcp", "udp", "udplite", "raw"};
    private static final int[] INET_PROTOCOLS = {1, 6, 17, 136, 255};

    static final String[] TCP_STATES = {"UNKNOWN", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
        "TIME_WAIT", "CLOSED", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING"};

    private static final byte[] SOCKET = "socket:[".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NET_NS = "net:[".getBytes(StandardCharsets.US_ASCII);
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /** One socket from a /proc/net table; state is "" where the table has none (as osquery), path "" unless unix. */
    record Socket(long inode, int family, int protocol, String localAddress, int localPort, String remoteAddress,
            int remotePort, byte[] path, String state, String netNamespace) {}

    /** A descriptor holding a socket. */
    record Holder(long pid, long fd) {}

    /** Sockets in /proc/net order, and who holds each inode. */
    record Scan(List<Socket> sockets, Map<Long, List<Holder>> holders) {}

    static Scan scan(ProcFs fs, long[] pids) {
        List<Socket> sockets = new ArrayList<>();
        Map<Long, List<Holder>> holders = new HashMap<>();
        // Network namespaces keyed by the inode of /proc/PID/net/dev, which is per namespace and visible for
        // every process; the ns/net link that names it needs ptrace rights, which even root lacks for some.
        Map<Long, List<Long>> members = new LinkedHashMap<>();
        Map<Long, String> labelOf = new HashMap<>();
        for (long pid : pids) {
            byte[] dir = ProcFs.pidDir(pid);
            long[] fds = ProcFs.fds(pid); // other users' processes need root
            if (fds != null) {
                byte[] fdDir = ProcFs.join(dir, "fd/");
                for (long fd : fds) {
                    byte[] link = fs.readLink(ProcFs.cpath(fdDir, Long.toString(fd)));
                    long inode = link == null ? -1 : ProcFs.bracketedInode(link, SOCKET);
                    if (inode >= 0) holders.computeIfAbsent(inode, k -> new ArrayList<>(1)).add(new Holder(pid, fd));
                }
            }
            long[] devIno = fs.devIno(ProcFs.cpath(dir, "net/dev"));
            if (devIno == null) continue; // exited
            long key = devIno[1];
            members.computeIfAbsent(key, k -> new ArrayList<>()).add(pid);
            if (labelOf.containsKey(key)) continue;
            byte[] nsLink = fs.readLink(ProcFs.cpath(dir, "ns/net"));
            long ns = nsLink == null ? -1 : ProcFs.bracketedInode(nsLink, NET_NS);
            if (ns >= 0) labelOf.put(key, Long.toString(ns));
        }
        for (Map.Entry<Long, List<Long>> e : members.entrySet()) {
            String label = labelOf.getOrDefault(e.getKey(), "0"); // osquery's label for a namespace it cannot name
            for (long pid : e.getValue()) {
                if (readNamespace(fs, ProcFs.pidDir(pid), label, sockets)) break; // else that process exited: next one
            }
        }
        return new Scan(sockets, holders);
    }

    /** All sockets of one network namespace, through a process in it; false if that process is gone. */
    private static boolean readNamespace(ProcFs fs, byte[] pidDir, String netns, List<Socket> out) {
        byte[] netDir = ProcFs.join(pidDir, "net/");
        boolean any = false;
        for (int k = 0; k < INET_FILES.length; k++) {
            byte[] v4 = fs.read(ProcFs.cpath(netDir, INET_FILES[k]));
            if (v4 != null) {
                any = true;
                parseInet(v4, AF_INET, INET_PROTOCOLS[k], netns, out);
            }
            byte[] v6 = fs.read(ProcFs.cpath(netDir, INET_FILES[k] + "6"));
            if (v6 != null) {
                any = true;
                parseInet(v6, AF_INET6, INET_PROTOCOLS[k], netns, out);
            }
        }
        byte[] unix = fs.read(ProcFs.cpath(netDir, "unix"));
        if (unix != null) {
            any = true;
            parseUnix(unix, netns, out);
        }
        byte[] packet = fs.read(ProcFs.cpath(netDir, "packet"));
        if (packet != null) {
            any = true;
            parsePacket(packet, netns, out);
        }
        return any;
    }

    private static final byte[] EMPTY = new byte[0];

    /** Whitespace-separated tokens of b[from, to): starts and ends in tok, at most max; the count. */
    private static int tokens(byte[] b, int from, int to, int[] tok, int max) {
        int n = 0;
        int i = from;
        while (n < max) {
            while (i < to && (b[i] == ' ' || b[i] == '\t')) i++;
            if (i >= to) break;
            tok[2 * n] = i;
            while (i < to && b[i] != ' ' && b[i] != '\t') i++;
            tok[2 * n + 1] = i;
            n++;
        }
        return n;
    }

    /** /proc/net/{tcp,udp,raw,icmp,udplite}[6]: "sl local rem st ... uid timeout inode". */
    static void parseInet(byte[] b, int family, int protocol, String netns, List<Socket> out) {
        int[] tok = new int[20];
        int i = ProcFs.indexOf(b, (byte) '\n', 0, b.length) + 1; // header
        if (i <= 0) return;
        while (i < b.length) {
            int eol = ProcFs.indexOf(b, (byte) '\n', i, b.length);
            if (eol < 0) eol = b.length;
            if (tokens(b, i, eol, tok, 10) == 10) {
                int lc = ProcFs.indexOf(b, (byte) ':', tok[2], tok[3]);
                int rc = ProcFs.indexOf(b, (byte) ':', tok[4], tok[5]);
                if (lc > 0 && rc > 0) {
                    String state = "";
                    if (protocol == 6) {
                        long st = ProcFs.parseHex(b, tok[6], tok[7]);
                        state = st > 0 && st < TCP_STATES.length ? TCP_STATES[(int) st] : "UNKNOWN";
                    }
                    long inode = ProcFs.parseLong(b, tok[18], tok[19]);
                    out.add(new Socket(inode == Long.MIN_VALUE ? 0 : inode, family, protocol,
                            address(b, tok[2], lc, family), port(b, lc + 1, tok[3]),
                            address(b, tok[4], rc, family), port(b, rc + 1, tok[5]), EMPTY, state, netns));
                }
            }
            i = eol + 1;
        }
    }

    /** /proc/net/unix: "Num RefCount Protocol Flags Type St Inode [Path]"; the path is the rest of the line. */
    static void parseUnix(byte[] b, String netns, List<Socket> out) {
        int[] tok = new int[14];
        int i = ProcFs.indexOf(b, (byte) '\n', 0, b.length) + 1;
        if (i <= 0) return;
        while (i < b.length) {
            int eol = ProcFs.indexOf(b, (byte) '\n', i, b.length);
            if (eol < 0) eol = b.length;
            if (tokens(b, i, eol, tok, 7) == 7) {
                long inode = ProcFs.parseLong(b, tok[12], tok[13]);
                long protocol = ProcFs.parseHex(b, tok[4], tok[5]);
                int p = tok[13];
                if (p < eol && b[p] == ' ') p++;
                byte[] path = java.util.Arrays.copyOfRange(b, p, eol);
                out.add(new Socket(inode == Long.MIN_VALUE ? 0 : inode, AF_UNIX, (int) Math.max(protocol, 0), "", 0, "",
                        0, path, "", netns));
            }
            i = eol + 1;
        }
    }

    /** /proc/net/packet: "sk RefCnt Type Proto Iface R Rmem User Inode"; state "NONE" as osquery. */
    static void parsePacket(byte[] b, String netns, List<Socket> out) {
        int[] tok = new int[18];
        int i = ProcFs.indexOf(b, (byte) '\n', 0, b.length) + 1;
        if (i <= 0) return;
        while (i < b.length) {
            int eol = ProcFs.indexOf(b, (byte) '\n', i, b.length);
            if (eol < 0) eol = b.length;
            if (tokens(b, i, eol, tok, 9) == 9) {
                long inode = ProcFs.parseLong(b, tok[16], tok[17]);
                int protocol = port(b, tok[6], tok[7]);
                out.add(new Socket(inode == Long.MIN_VALUE ? 0 : inode, AF_PACKET, protocol, "", 0, "", 0, EMPTY,
                        "NONE", netns));
            }
            i = eol + 1;
        }
    }

    /** Four hex digits, else 0 (as osquery). */
    static int port(byte[] b, int from, int to) {
        if (to - from != 4) return 0;
        long v = ProcFs.parseHex(b, from, to);
        return v < 0 ? 0 : (int) v;
    }

    /** The kernel prints addresses as native-endian 32-bit words in hex; "" if malformed (as osquery). */
    static String address(byte[] b, int from, int to, int family) {
        int words = family == AF_INET ? 1 : 4;
        if (to - from != 8 * words) return "";
        byte[] addr = new byte[4 * words];
        for (int w = 0; w < words; w++) {
            long v = ProcFs.parseHex(b, from + 8 * w, from + 8 * w + 8);
            if (v < 0) return "";
            for (int k = 0; k < 4; k++) {
                int shift = LITTLE_ENDIAN ? 8 * k : 24 - 8 * k;
                addr[4 * w + k] = (byte) (v >>> shift);
            }
        }
        return family == AF_INET ? Inet.ntop4(addr, 0) : Inet.ntop6(addr, 0);
    }
}
