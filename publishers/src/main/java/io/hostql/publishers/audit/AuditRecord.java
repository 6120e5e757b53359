package io.hostql.publishers.audit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One audit record's text, {@code audit(SECONDS.MILLIS:SERIAL): key=value ...}, split into fields.
 * Values the kernel treats as untrusted strings come either in double quotes (printable ASCII without
 * quotes or spaces) or hex-encoded; {@link #bytes} undoes either. The fields of a user message's
 * {@code msg='...'} are fields of the record too (after the outer ones), as osquery reads them.
 */
final class AuditRecord {
    final int type;
    final long millis;
    final long serial;
    private final byte[] text;
    private final List<String> names = new ArrayList<>(32);
    /** Per field: value start, value end, quote character (0 when unquoted). */
    private int[] spans = new int[96];

    private AuditRecord(int type, long millis, long serial, byte[] text) {
        this.type = type;
        this.millis = millis;
        this.serial = serial;
        this.text = text;
    }

    /** Parses a record's text; null when it does not start with an audit(...) stamp. */
    static AuditRecord parse(int type, byte[] text) {
        int len = text.length;
        if (len < 8 || text[0] != 'a' || text[5] != '(') return null;
        int p = 6;
        long sec = 0;
        while (p < len && text[p] >= '0' && text[p] <= '9') sec = sec * 10 + (text[p++] - '0');
        if (p >= len || text[p] != '.') return null;
        p++;
        long ms = 0;
        int digits = 0;
        while (p < len && text[p] >= '0' && text[p] <= '9') {
            if (digits++ < 3) ms = ms * 10 + (text[p] - '0');
            p++;
        }
        while (digits++ < 3) ms *= 10;
        if (p >= len || text[p] != ':') return null;
        p++;
        long serial = 0;
        while (p < len && text[p] >= '0' && text[p] <= '9') serial = serial * 10 + (text[p++] - '0');
        if (p + 1 >= len || text[p] != ')' || text[p + 1] != ':') return null;
        AuditRecord r = new AuditRecord(type, sec * 1000 + ms, serial, text);
        r.split(p + 2, len, true);
        return r;
    }

    private void split(int p, int end, boolean outer) {
        while (p < end) {
            while (p < end && text[p] == ' ') p++;
            int k = p;
            while (p < end && text[p] != '=' && text[p] != ' ') p++;
            if (p >= end || text[p] != '=') continue; // a bare word: not a field
            String name = new String(text, k, p - k, StandardCharsets.US_ASCII);
            p++;
            int quote = p < end && (text[p] == '"' || text[p] == '\'') ? text[p] : 0;
            int vs, ve;
            if (quote != 0) {
                vs = ++p;
                while (p < end && text[p] != quote) p++;
                ve = p;
                if (p < end) p++;
            } else {
                vs = p;
                while (p < end && text[p] != ' ') p++;
                ve = p;
            }
            add(name, vs, ve, quote);
            if (quote == '\'' && outer) split(vs, ve, false);
        }
    }

    private void add(String name, int vs, int ve, int quote) {
        int i = names.size();
        if (3 * i + 3 > spans.length) spans = java.util.Arrays.copyOf(spans, spans.length * 2);
        names.add(name);
        spans[3 * i] = vs;
        spans[3 * i + 1] = ve;
        spans[3 * i + 2] = quote;
    }

    int fieldCount() {
        return names.size();
    }

    String name(int i) {
        return names.get(i);
    }

    private int find(String name) {
        for (int i = 0; i < names.size(); i++) if (names.get(i).equals(name)) return i;
        return -1;
    }

    boolean has(String name) {
        return find(name) >= 0;
    }

    /** The value as written (quotes removed, nothing decoded), or null. */
    String raw(String name) {
        int i = find(name);
        return i < 0 ? null : raw(i);
    }

    String raw(int i) {
        return new String(text, spans[3 * i], spans[3 * i + 1] - spans[3 * i], StandardCharsets.UTF_8);
    }

    /** A decimal field (negative allowed); def when absent or not a number. */
    long number(String name, long def) {
        int i = find(name);
        if (i < 0) return def;
        int p = spans[3 * i], e = spans[3 * i + 1];
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
    long hexNumber(String name, long def) {
        int i = find(name);
        if (i < 0) return def;
        long v = 0;
        int p = spans[3 * i], e = spans[3 * i + 1];
        if (p >= e) return def;
        for (; p < e; p++) {
            int d = Character.digit(text[p], 16);
            if (d < 0) return def;
            v = v << 4 | d;
        }
        return v;
    }

    /** An untrusted-string field decoded to its bytes; null when absent or "(null)". */
    byte[] bytes(String name) {
        int i = find(name);
        return i < 0 ? null : bytes(i);
    }

    byte[] bytes(int i) {
        int vs = spans[3 * i], ve = spans[3 * i + 1];
        if (spans[3 * i + 2] != 0) return java.util.Arrays.copyOfRange(text, vs, ve);
        int n = ve - vs;
        if (n == 6 && text[vs] == '(' && text[ve - 1] == ')') return null; // (null)
        if (n % 2 == 0 && isHex(vs, ve)) {
            byte[] out = new byte[n / 2];
            for (int j = 0; j < out.length; j++) {
                out[j] = (byte) (Character.digit(text[vs + 2 * j], 16) << 4 | Character.digit(text[vs + 2 * j + 1], 16));
            }
            return out;
        }
        return java.util.Arrays.copyOfRange(text, vs, ve);
    }

    private boolean isHex(int vs, int ve) {
        for (int p = vs; p < ve; p++) if (Character.digit(text[p], 16) < 0) return false;
        return true;
    }

    String text() {
        return new String(text, StandardCharsets.UTF_8);
    }
}
