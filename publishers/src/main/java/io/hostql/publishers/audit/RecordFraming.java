package io.hostql.publishers.audit;

/**
 * The little the audit reader reads of a record's text, by byte scans with no allocation: the serial of
 * its {@code audit(SECONDS.MILLIS:SERIAL):} stamp, and a few numeric fields (arch, syscall, pid) that
 * decide whether the record is kept. Everything else is parsed after the journal ({@link AuditDecoder}).
 */
final class RecordFraming {
    private RecordFraming() {}

    /**
     * The length of the text's {@code audit(...):} stamp (up to the colon after its parenthesis), or -1 when the text
     * does not start with one.
     */
    static int stampLength(byte[] b, int len) {
        if (len < 8 || b[0] != 'a' || b[1] != 'u' || b[5] != '(') return -1;
        int p = 6;
        while (p < len && b[p] != ':' && b[p] != ')') p++;
        if (p >= len || b[p] != ':') return -1;
        int start = ++p;
        while (p < len && b[p] >= '0' && b[p] <= '9') p++;
        if (p == start || p + 1 >= len || b[p] != ')' || b[p + 1] != ':') return -1;
        return p + 2;
    }

    /** The stamp's serial, or -1 when the text does not start with an {@code audit(...):} stamp. */
    static long serial(byte[] b, int len) {
        int end = stampLength(b, len);
        if (end < 0) return -1;
        int p = end - 3;
        while (b[p - 1] != ':') p--;
        long serial = 0;
        while (p < end - 2) serial = serial * 10 + (b[p++] - '0');
        return serial;
    }

    /** {@link #number(byte[], int, int, byte[], int, long)} on the text {@code b[0, len)}. */
    static long number(byte[] b, int len, byte[] name, int radix, long def) {
        return number(b, 0, len, name, radix, def);
    }

    /**
     * The value of the first field {@code name=} in the text {@code b[off, end)} as an unsigned number in the
     * radix, or def when absent or not a number.
     */
    static long number(byte[] b, int off, int end, byte[] name, int radix, long def) {
        int v = find(b, off, end, name);
        if (v < 0 || v >= end) return def;
        long n = 0;
        int p = v;
        for (; p < end && b[p] != ' '; p++) {
            int d = Character.digit(b[p], radix);
            if (d < 0) return def;
            n = n * radix + d;
        }
        return p == v ? def : n;
    }

    private static final byte[] ARCH = field("arch"), SYSCALL_NR = field("syscall");

    /** The syscall of a SYSCALL record's text {@code b[off, end)} by name, from its arch and number; null when hostql does not know it. */
    static String syscallName(byte[] b, int off, int end) {
        return Syscalls.name(number(b, off, end, ARCH, 16, 0), number(b, off, end, SYSCALL_NR, 10, -1));
    }

    /** Whether a field {@code name=} with a non-empty value is present. */
    static boolean hasValue(byte[] b, int len, byte[] name) {
        int v = find(b, 0, len, name);
        return v >= 0 && v < len && b[v] != ' ' && !(v + 1 < len && (b[v] == '"' || b[v] == '\'') && b[v + 1] == b[v]);
    }

    /** Where the value of the first field {@code name=} starts (the name at the start, after a space or a msg's quote), or -1. */
    private static int find(byte[] b, int off, int end, byte[] name) {
        int n = name.length;
        outer:
        for (int i = off; i + n <= end; i++) {
            if (b[i] != name[0] || i > off && b[i - 1] != ' ' && b[i - 1] != '\'') continue;
            for (int j = 1; j < n; j++) if (b[i + j] != name[j]) continue outer;
            return i + n;
        }
        return -1;
    }

    static byte[] field(String name) {
        return (name + "=").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
