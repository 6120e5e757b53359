package io.hostql.tables.os;

/**
 * Address text as glibc writes and reads it (inet_ntop, inet_pton, inet_aton), so rows match the
 * native tools; shared by the network tables and the process socket tables.
 */
public final class Inet {
    private Inet() {}

    /** Dotted quad of 4 bytes at {@code off}, in network order. */
    public static String ntop4(byte[] a, int off) {
        return (a[off] & 0xff) + "." + (a[off + 1] & 0xff) + "." + (a[off + 2] & 0xff) + "." + (a[off + 3] & 0xff);
    }

    /** inet_ntop(AF_INET6): longest run (first on ties) of two or more zero words becomes "::", and ::a.b.c.d / ::ffff:a.b.c.d keep an IPv4 tail. */
    public static String ntop6(byte[] a, int off) {
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) w[i] = ((a[off + 2 * i] & 0xff) << 8) | (a[off + 2 * i + 1] & 0xff);
        int bestBase = -1, bestLen = 0, curBase = -1, curLen = 0;
        for (int i = 0; i < 8; i++) {
            if (w[i] == 0) {
                if (curBase < 0) {
                    curBase = i;
                    curLen = 1;
                } else {
                    curLen++;
                }
            } else if (curBase >= 0) {
                if (curLen > bestLen) {
                    bestBase = curBase;
                    bestLen = curLen;
                }
                curBase = -1;
            }
        }
        if (curBase >= 0 && curLen > bestLen) {
            bestBase = curBase;
            bestLen = curLen;
        }
        if (bestLen < 2) bestBase = -1;
        StringBuilder sb = new StringBuilder(40);
        for (int i = 0; i < 8; i++) {
            if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
                if (i == bestBase) sb.append(':');
                continue;
            }
            if (i != 0) sb.append(':');
            if (i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && w[5] == 0xffff))) {
                sb.append(ntop4(a, off + 12));
                return sb.toString();
            }
            sb.append(Integer.toHexString(w[i]));
        }
        if (bestBase >= 0 && bestBase + bestLen == 8) sb.append(':');
        return sb.toString();
    }

    /** Text of a 4- or 16-byte address; null for any other length. */
    public static String ntop(byte[] a, int off, int len) {
        return len == 4 ? ntop4(a, off) : len == 16 ? ntop6(a, off) : null;
    }

    /**
     * inet_aton, whole string: 1 to 4 parts, each decimal, octal (leading 0) or hex (0x); the last part fills the
     * remaining bytes ("10.1" is 10.0.0.1). Returns the address as a big-endian int, or null.
     */
    public static Long aton(String s) {
        if (s.isEmpty()) return null;
        long[] parts = new long[4];
        int n = 0, i = 0, len = s.length();
        while (true) {
            if (n == 4 || i >= len || !isDigit(s.charAt(i))) return null;
            int base = 10;
            if (s.charAt(i) == '0') {
                if (i + 1 < len && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X')) {
                    base = 16;
                    i += 2;
                } else {
                    base = 8;
                }
            }
            long v = 0;
            int digits = 0;
            while (i < len) {
                int d = Character.digit(s.charAt(i), base);
                if (d < 0) break;
                v = v * base + d;
                if (v > 0xffffffffL) return null;
                i++;
                digits++;
            }
            if (base == 16 && digits == 0) return null; // "0x" alone is not a number to glibc
            if (i < len && s.charAt(i) != '.') return null;
            parts[n++] = v;
            if (i >= len) break;
            i++; // '.'
            if (i >= len) return null;
        }
        long[] max = {0xffffffffL, 0xffffffL, 0xffffL, 0xffL};
        for (int p = 0; p < n - 1; p++) if (parts[p] > 0xff) return null;
        if (parts[n - 1] > max[n - 1]) return null;
        long addr = 0;
        for (int p = 0; p < n - 1; p++) addr |= parts[p] << (24 - 8 * p);
        return addr | parts[n - 1];
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** inet_pton(AF_INET): exactly four decimal parts, no leading zeros. */
    public static byte[] pton4(String s) {
        String[] p = s.split("\\.", -1);
        if (p.length != 4) return null;
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (p[i].isEmpty() || p[i].length() > 3 || (p[i].length() > 1 && p[i].charAt(0) == '0')) return null;
            int v = 0;
            for (char c : p[i].toCharArray()) {
                if (!isDigit(c)) return null;
                v = v * 10 + (c - '0');
            }
            if (v > 255) return null;
            out[i] = (byte) v;
        }
        return out;
    }

    /** inet_pton(AF_INET6), or null. */
    public static byte[] pton6(String s) {
        int dc = s.indexOf("::");
        if (dc >= 0 && s.indexOf("::", dc + 1) >= 0) return null;
        String head = dc >= 0 ? s.substring(0, dc) : s;
        String tail = dc >= 0 ? s.substring(dc + 2) : "";
        java.util.List<Integer> hw = new java.util.ArrayList<>(), tw = new java.util.ArrayList<>();
        if (!head.isEmpty() && !words(head, hw, dc < 0)) return null;
        if (dc >= 0 && !tail.isEmpty() && !words(tail, tw, true)) return null;
        java.util.List<Integer> last = dc >= 0 ? tw : hw;
        if (!last.isEmpty() && last.get(last.size() - 1) == -1) { // an IPv4 tail, already parsed into two words
            last.remove(last.size() - 1);
        }
        int total = hw.size() + tw.size();
        if (dc < 0 ? total != 8 : total > 7) return null;
        byte[] out = new byte[16];
        for (int i = 0; i < hw.size(); i++) put(out, i, hw.get(i));
        for (int i = 0; i < tw.size(); i++) put(out, 8 - tw.size() + i, tw.get(i));
        return out;
    }

    private static void put(byte[] out, int word, int v) {
        out[2 * word] = (byte) (v >> 8);
        out[2 * word + 1] = (byte) v;
    }

    /** Colon-separated hex words into {@code out}; a dotted IPv4 last group (if allowed) becomes two words and a -1 marker. */
    private static boolean words(String s, java.util.List<Integer> out, boolean v4Allowed) {
        String[] g = s.split(":", -1);
        for (int i = 0; i < g.length; i++) {
            String x = g[i];
            if (i == g.length - 1 && v4Allowed && x.indexOf('.') >= 0) {
                byte[] v4 = pton4(x);
                if (v4 == null) return false;
                out.add(((v4[0] & 0xff) << 8) | (v4[1] & 0xff));
                out.add(((v4[2] & 0xff) << 8) | (v4[3] & 0xff));
                out.add(-1);
                return true;
            }
            if (x.isEmpty() || x.length() > 4) return false;
            int v = 0;
            for (char c : x.toCharArray()) {
                int d = Character.digit(c, 16);
                if (d < 0) return false;
                v = v * 16 + d;
            }
            out.add(v);
        }
        return true;
    }

    /** Prefix length of a contiguous netmask (bytes in network order), or -1. */
    public static int prefixLength(byte[] mask, int off, int len) {
        int bits = 0;
        boolean ended = false;
        for (int i = 0; i < len; i++) {
            int b = mask[off + i] & 0xff;
            for (int k = 7; k >= 0; k--) {
                boolean set = (b & (1 << k)) != 0;
                if (set && ended) return -1;
                if (set) bits++;
                else ended = true;
            }
        }
        return bits;
    }
}
