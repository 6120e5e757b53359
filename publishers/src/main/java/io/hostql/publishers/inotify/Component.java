package io.hostql.publishers.inotify;

import java.util.Arrays;

/**
 * One path component of a pattern: a literal name, {@code %} (any name), or a partial name where
 * {@code %} (or glob {@code *}) stands for any run of bytes ({@code abc%}, {@code %abc}, {@code a%c}).
 */
final class Component {
    enum Kind { LITERAL, ANY, GLOB }

    static final Component ANY = new Component(Kind.ANY, new byte[] {'%'});

    final Kind kind;
    final byte[] bytes;

    private Component(Kind kind, byte[] bytes) {
        this.kind = kind;
        this.bytes = bytes;
    }

    static Component literal(byte[] name) {
        return new Component(Kind.LITERAL, name);
    }

    /** A file_paths component: % and * are wildcards, whole or partial. */
    static Component pattern(String text) {
        if (text.equals("%") || text.equals("*")) return ANY;
        if (text.indexOf('%') >= 0 || text.indexOf('*') >= 0) return new Component(Kind.GLOB, PathBytes.utf8(text));
        return literal(PathBytes.utf8(text));
    }

    boolean isLiteral() {
        return kind == Kind.LITERAL;
    }

    boolean matches(byte[] name) {
        return switch (kind) {
            case ANY -> true;
            case LITERAL -> Arrays.equals(bytes, name);
            case GLOB -> glob(bytes, name);
        };
    }

    /** Wildcard match where '%' and '*' match any run of bytes (possibly empty). */
    static boolean glob(byte[] p, byte[] s) {
        int pi = 0, si = 0, star = -1, mark = 0;
        while (si < s.length) {
            if (pi < p.length && (p[pi] == '%' || p[pi] == '*')) {
                star = pi++;
                mark = si;
            } else if (pi < p.length && p[pi] == s[si]) {
                pi++;
                si++;
            } else if (star >= 0) {
                pi = star + 1;
                si = ++mark;
            } else {
                return false;
            }
        }
        while (pi < p.length && (p[pi] == '%' || p[pi] == '*')) pi++;
        return pi == p.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Component c && kind == c.kind && Arrays.equals(bytes, c.bytes);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return PathBytes.show(bytes);
    }
}
