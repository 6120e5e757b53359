package io.hostql.publishers.audit;

import java.nio.charset.StandardCharsets;

/**
 * One audit record's text, {@code audit(SECONDS.MILLIS:SERIAL): key=value ...}, split into fields.
 * Values the kernel treats as untrusted strings come either in double quotes (printable ASCII without
 * quotes or spaces) or hex-encoded; {@link #bytes} undoes either. The fields of a user message's
 * {@code msg='...'} are fields of the record too (after the outer ones), as osquery reads them.
 *
 * <p>Parsed in place: the record keeps the array it was given and the spans of its fields' names and values,
 * so a field no one asks for costs no {@code String} and no copy.
 */
final class AuditRecord {
    final int type;
    final long millis;
    final long serial;
    private final Stamp stamp;
    /** The text after the stamp: {@code text[off, end)}. */
    private final byte[] text;
    private final int off, end;
    private int count;
    /** Per field: name start, name end, value start, value end, quote character (0 when unquoted). */
    private int[] spans;

    /** A record's {@code audit(SECONDS.MILLIS:SERIAL):} stamp, parsed once per group; its text is {@code b[off, off + length)}. */
    record Stamp(long millis, long serial, byte[] b, int off, int length) {
        /** The stamp at the start of {@code b[off, off + len)}; null when the text does not start with one. */
        static Stamp parse(byte[] b, int off, int len) {
            int end = off + len;
            if (len < 8 || b[off] != 'a' || b[off + 5] != '(') return null;
            int p = off + 6;
            long sec = 0;
            while (p < end && b[p] >= '0' && b[p] <= '9') sec = sec * 10 + (b[p++] - '0');
            if (p >= end || b[p] != '.') return null;
            p++;
            long ms = 0;
            int digits = 0;
            while (p < end && b[p] >= '0' && b[p] <= '9') {
                if (digits++ < 3) ms = ms * 10 + (b[p] - '0');
                p++;
            }
            while (digits++ < 3) ms *= 10;
            if (p >= end || b[p] != ':') return null;
            p++;
            long serial = 0;
            while (p < end && b[p] >= '0' && b[p] <= '9') serial = serial * 10 + (b[p++] - '0');
            if (p + 1 >= end || b[p] != ')' || b[p + 1] != ':') return null;
            return new Stamp(sec * 1000 + ms, serial, b, off, p + 2 - off);
        }
    }

    private AuditRecord(int type, Stamp stamp, byte[] text, int off, int end) {
        this.type = type;
        this.millis = stamp.millis();
        this.serial = stamp.serial();
        this.stamp = stamp;
        this.text = text;
        this.off = off;
        this.end = end;
        this.spans = new int[5 * Math.max(4, (end - off) / 10)]; // a SYSCALL record: 26 fields in about 300 bytes
    }

    /** Parses a record's text; null when it does not start with an audit(...) stamp. */
    static AuditRecord parse(int type, byte[] text) {
        return parse(type, text, 0, text.length);
    }

    /** Parses the record text {@code b[off, off + len)} in place; null when it does not start with an audit(...) stamp. */
    static AuditRecord parse(int type, byte[] b, int off, int len) {
        Stamp s = Stamp.parse(b, off, len);
        return s == null ? null : parse(type, s, b, off + s.length(), len - s.length());
    }

    /** Parses in place a record's text after its stamp, {@code b[off, off + len)}, the stamp given (its group's). */
    static AuditRecord parse(int type, Stamp stamp, byte[] b, int off, int len) {
        AuditRecord r = new AuditRecord(type, stamp, b, off, off + len);
        r.split(off, off + len, true);
        return r;
    }

    private void split(int p, int end, boolean outer) {
        byte[] t = text;
        while (p < end) {
            while (p < end && t[p] == ' ') p++;
            int k = p;
            while (p < end && t[p] != '=' && t[p] != ' ') p++;
            if (p >= end || t[p] != '=') continue; // a bare word: not a field
            int ke = p;
            p++;
            int quote = p < end && (t[p] == '"' || t[p] == '\'') ? t[p] : 0;
            int vs, ve;
            if (quote != 0) {
                vs = ++p;
                while (p < end && t[p] != quote) p++;
                ve = p;
                if (p < end) p++;
            } else {
                vs = p;
                while (p < end && t[p] != ' ') p++;
                ve = p;
            }
            int i = 5 * count++; // the span stored here, not in a method: C1 inlined no call that size, and this runs per field
            if (i + 5 > spans.length) spans = java.util.Arrays.copyOf(spans, spans.length * 2);
            int[] sp = spans;
            sp[i] = k;
            sp[i + 1] = ke;
            sp[i + 2] = vs;
            sp[i + 3] = ve;
            sp[i + 4] = quote;
            if (quote == '\'' && outer) {
                nested = true;
                split(vs, ve, false);
            }
        }
    }

    int fieldCount() {
        return count;
    }

    String name(int i) {
        return new String(text, spans[5 * i], spans[5 * i + 1] - spans[5 * i], StandardCharsets.US_ASCII);
    }

    /** Where the last {@link #find} stopped: fields are mostly asked for in the kernel's order, so the next one is usually next. */
    private int hint;

    /** Whether a user message's msg='...' added its fields: they may repeat an outer field's name. */
    private boolean nested;

    /**
     * A field name to look up, as its ASCII bytes made once (a constant): comparing bytes cost less than a String's
     * characters, measured per lookup under C1, and a constant makes nothing per lookup. The only way to look a field up
     * by name.
     */
    record Name(byte[] ascii) {
        static Name of(String name) {
            return new Name(name.getBytes(StandardCharsets.US_ASCII));
        }
    }

    /**
     * The first field of that name, by a byte comparison. A kernel record names each field once, so it is searched from
     * the one after the last found and around: a search from the start cost a comparison per field before it (issue 15).
     * With a msg='...' inside, from the start.
     */
    private int find(Name name) {
        byte[] ascii = name.ascii();
        int n = ascii.length;
        for (int k = 0, i = nested ? 0 : hint; k < count; k++, i++) {
            if (i == count) i = 0;
            int s = spans[5 * i];
            if (spans[5 * i + 1] - s == n && same(s, ascii)) {
                hint = i + 1 == count ? 0 : i + 1;
                return i;
            }
        }
        return -1;
    }

    private boolean same(int at, byte[] s) {
        for (int j = 0; j < s.length; j++) if (text[at + j] != s[j]) return false;
        return true;
    }

    /** Whether the field is present with that value as written (quotes removed): no String made. */
    boolean is(Name name, String value) {
        return is(find(name), value);
    }

    private boolean is(int i, String value) {
        if (i < 0 || spans[5 * i + 3] - spans[5 * i + 2] != value.length()) return false;
        for (int j = 0, at = spans[5 * i + 2]; j < value.length(); j++) if (text[at + j] != value.charAt(j)) return false;
        return true;
    }

    /** The value as written (quotes removed, nothing decoded), or null. */
    String raw(Name name) {
        int i = find(name);
        return i < 0 ? null : raw(i);
    }

    String raw(int i) {
        return new String(text, spans[5 * i + 2], spans[5 * i + 3] - spans[5 * i + 2], StandardCharsets.UTF_8);
    }

    /** A decimal field (negative allowed); def when absent or not a number. */
    long number(Name name, long def) {
        return number(find(name), def);
    }

    /** The decimal field at index i (see {@link #number(Name, long)}). */
    long number(int i, long def) {
        if (i < 0) return def;
        int p = spans[5 * i + 2], e = spans[5 * i + 3];
        boolean neg = p < e && text[p] == '-';
        if (neg) p++;
        if (p >= e) return def;
        long v = 0;
        for (; p < e; p++) {
            int c = text[p];
            if (c < '0' || c > '9') return def;
            v = v * 10 + (c - '0');
        }
        return neg ? -v : v;
    }

    /** A field the kernel prints in hex without 0x (a0..a3, arch); def when absent. */
    long hexNumber(Name name, long def) {
        return hexNumberAt(find(name), def);
    }

    private long hexNumberAt(int i, long def) {
        if (i < 0) return def;
        long v = 0;
        int p = spans[5 * i + 2], e = spans[5 * i + 3];
        if (p >= e) return def;
        for (; p < e; p++) {
            int d = hexDigit(text[p]);
            if (d < 0) return def;
            v = v << 4 | d;
        }
        return v;
    }

    /** An untrusted-string field decoded to its bytes; null when absent or "(null)". */
    byte[] bytes(Name name) {
        int i = find(name);
        return i < 0 ? null : bytes(i);
    }

    byte[] bytes(int i) {
        int vs = spans[5 * i + 2], ve = spans[5 * i + 3];
        if (spans[5 * i + 4] != 0) return java.util.Arrays.copyOfRange(text, vs, ve);
        int n = ve - vs;
        if (n == 6 && text[vs] == '(' && text[ve - 1] == ')') return null; // (null)
        if (n % 2 == 0 && isHex(vs, ve)) {
            byte[] out = new byte[n / 2];
            for (int j = 0; j < out.length; j++) {
                out[j] = (byte) (hexDigit(text[vs + 2 * j]) << 4 | hexDigit(text[vs + 2 * j + 1]));
            }
            return out;
        }
        return java.util.Arrays.copyOfRange(text, vs, ve);
    }

    private boolean isHex(int vs, int ve) {
        for (int p = vs; p < ve; p++) if (hexDigit(text[p]) < 0) return false;
        return true;
    }

    /** Each byte's value as an ASCII hex digit, or -1: Character.digit went through Unicode tables, a visible cost per record. */
    private static final byte[] HEX = new byte[256];

    static {
        java.util.Arrays.fill(HEX, (byte) -1);
        for (int c = '0'; c <= '9'; c++) HEX[c] = (byte) (c - '0');
        for (int c = 'a'; c <= 'f'; c++) HEX[c] = (byte) (c - 'a' + 10);
        for (int c = 'A'; c <= 'F'; c++) HEX[c] = (byte) (c - 'A' + 10);
    }

    /** An ASCII hex digit's value, or -1. */
    static int hexDigit(byte c) {
        return HEX[c & 0xff];
    }

    /** The record's whole text, its stamp included. */
    String text() {
        return new String(stamp.b(), stamp.off(), stamp.length(), StandardCharsets.UTF_8) + new String(text, off, end - off, StandardCharsets.UTF_8);
    }
}
