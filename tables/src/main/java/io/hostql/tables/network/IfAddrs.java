package io.hostql.tables.network;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.hostql.os.Libc;
import io.hostql.tables.os.Inet;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** getifaddrs(3), copied out of native memory: one entry per link (AF_PACKET) and per address, in glibc's order. */
final class IfAddrs {
    private IfAddrs() {}

    static final int IFF_BROADCAST = 0x2;

    /** A copied {@code struct sockaddr}: family and the raw bytes (null if the pointer was NULL). */
    record SockAddr(int family, byte[] raw) {
        /** The 4 or 16 address bytes of an AF_INET/AF_INET6 sockaddr. */
        byte[] ip() {
            if (family == Libc.AF_INET) return java.util.Arrays.copyOfRange(raw, 4, 8);
            if (family == Libc.AF_INET6) return java.util.Arrays.copyOfRange(raw, 8, 24);
            return null;
        }

        int scopeId() {
            return family == Libc.AF_INET6 ? (raw[24] & 0xff) | (raw[25] & 0xff) << 8 | (raw[26] & 0xff) << 16 | (raw[27] & 0xff) << 24 : 0;
        }

        /** sockaddr_ll: interface index, ARPHRD type, hardware address. */
        int llIfindex() {
            return (raw[4] & 0xff) | (raw[5] & 0xff) << 8 | (raw[6] & 0xff) << 16 | (raw[7] & 0xff) << 24;
        }

        int llHatype() {
            return (raw[8] & 0xff) | (raw[9] & 0xff) << 8;
        }

        byte[] llAddr() {
            int len = Math.min(raw[11] & 0xff, raw.length - 12);
            return java.util.Arrays.copyOfRange(raw, 12, 12 + len);
        }
    }

    record Entry(String name, long flags, SockAddr addr, SockAddr netmask, SockAddr broadOrDst) {
        /** The interface's own entry (its link address, or none), not one of its IP addresses: one per interface. */
        boolean isLink() {
            return addr == null || addr.family() == Libc.AF_PACKET;
        }
    }

    static List<Entry> read() {
        long[] head = new long[1];
        if (Libc.getifaddrs(head) != 0) {
            throw new IllegalStateException("getifaddrs: " + Libc.errorText(Native.getLastError()));
        }
        List<Entry> out = new ArrayList<>();
        Pointer first = new Pointer(head[0]);
        try {
            for (Pointer p = first; p != null; p = p.getPointer(0)) {
                Pointer name = p.getPointer(8);
                out.add(new Entry(name == null ? "" : new String(name.getByteArray(0, strlen(name)), StandardCharsets.UTF_8),
                        p.getInt(16) & 0xffffffffL, sockaddr(p.getPointer(24)), sockaddr(p.getPointer(32)),
                        sockaddr(p.getPointer(40))));
            }
        } finally {
            if (head[0] != 0) Libc.freeifaddrs(first);
        }
        return out;
    }

    private static int strlen(Pointer p) {
        int n = 0;
        while (n < 256 && p.getByte(n) != 0) n++;
        return n;
    }

    private static SockAddr sockaddr(Pointer p) {
        if (p == null) return null;
        int family = p.getShort(0) & 0xffff;
        int size = switch (family) {
            case Libc.AF_INET -> 16;
            case Libc.AF_INET6 -> 28;
            case Libc.AF_PACKET -> 20; // sockaddr_ll: 12-byte header + 8 address bytes
            default -> 2;
        };
        return new SockAddr(family, p.getByteArray(0, size));
    }

    /** Interface index to name, for IPv6 scope ids. */
    static Map<Integer, String> indexNames(List<Entry> entries) {
        Map<Integer, String> m = new HashMap<>();
        for (Entry e : entries) if (e.addr() != null && e.addr().family() == Libc.AF_PACKET) m.put(e.addr().llIfindex(), e.name());
        return m;
    }

    /** getnameinfo(NI_NUMERICHOST) text: IPv6 link-local addresses get "%ifname", other scoped ones "%index". */
    static String text(SockAddr sa, Map<Integer, String> names) {
        byte[] ip = sa.ip();
        if (ip == null) return null;
        if (ip.length == 4) return Inet.ntop4(ip, 0);
        String s = Inet.ntop6(ip, 0);
        int scope = sa.scopeId();
        if (scope == 0) return s;
        boolean linkLocal = (ip[0] & 0xff) == 0xfe && (ip[1] & 0xc0) == 0x80;
        boolean mcLinkLocal = (ip[0] & 0xff) == 0xff && (ip[1] & 0x0f) == 0x02;
        String name = (linkLocal || mcLinkLocal) ? names.get(scope) : null;
        return s + "%" + (name != null ? name : Integer.toUnsignedString(scope));
    }
}
