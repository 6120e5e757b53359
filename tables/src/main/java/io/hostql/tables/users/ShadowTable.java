package io.hostql.tables.users;

import static io.hostql.sql.table.ColumnOption.INDEX;
import static io.hostql.sql.table.ColumnOption.OPTIMIZED;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * shadow: /etc/shadow (root only), parsed as glibc's sgetspent does: empty numeric fields are -1,
 * and a missing flag is NULL (osquery cannot cast glibc's ~0ul to BIGINT).
 */
public final class ShadowTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("shadow", "Local system users encrypted passwords and related information. Please note, that you usually need superuser rights to access `/etc/shadow`.")
            .text("password_status").text("hash_alg").bigint("last_change").bigint("min").bigint("max").bigint("warning")
            .bigint("inactive").bigint("expire").bigint("flag").text("username", INDEX, OPTIMIZED)
            .build();

    /** A parsed entry; password is null for NIS compat lines; flag is null when unset. */
    record Entry(String username, String password, long lastChange, long min, long max, long warning, long inactive,
            long expire, Long flag) {}

    private final Path file;

    public ShadowTable() {
        this(Path.of("/etc/shadow"));
    }

    ShadowTable(Path file) {
        this.file = file;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException | AccessDeniedException e) {
            return; // not root, or no shadow file: nothing to show (as getspent returns nothing)
        }
        Set<String> names = ctx.equalsText("username");
        for (Entry e : parse(content)) {
            if (!names.isEmpty() && !names.contains(e.username())) continue;
            rows.add().set("password_status", status(e.password())).set("hash_alg", hashAlg(e.password()))
                    .set("last_change", e.lastChange()).set("min", e.min()).set("max", e.max()).set("warning", e.warning())
                    .set("inactive", e.inactive()).set("expire", e.expire()).set("flag", e.flag()).set("username", e.username());
        }
    }

    static List<Entry> parse(byte[] content) {
        List<Entry> out = new ArrayList<>();
        for (String line : Passwd.Cached.lines(content)) {
            Entry e = parseLine(line);
            if (e != null) out.add(e);
        }
        return out;
    }

    /** One line, or null when glibc would reject it. */
    static Entry parseLine(String line) {
        Cursor c = new Cursor(line);
        String name = c.string();
        if (c.atEnd() && !name.isEmpty() && (name.charAt(0) == '+' || name.charAt(0) == '-')) {
            return new Entry(name, null, -1, -1, -1, -1, -1, -1, null);
        }
        String password = c.string();
        Long lastChange = c.number(), min = c.number(), max = c.number();
        if (lastChange == null || min == null || max == null) return null;
        while (!c.atEnd() && Character.isWhitespace(c.peek())) c.pos++;
        if (c.atEnd()) return new Entry(name, password, lastChange, min, max, -1, -1, -1, null); // old short form
        Long warn = c.number(), inact = c.number(), expire = c.number();
        if (warn == null || inact == null || expire == null) return null;
        Long flag = null;
        if (!c.atEnd()) {
            flag = c.unsignedNumber();
            if (flag == null) return null;
            if (flag == -1L) flag = null; // unset, or ~0ul written out
        }
        return new Entry(name, password, lastChange, min, max, warn, inact, expire, flag);
    }

    /** osquery's password_status: not_set ("!!"), locked ("!", "*" or "x" first), empty, or active. */
    static String status(String password) {
        if (password == null || password.isEmpty()) return "empty";
        if (password.equals("!!")) return "not_set";
        char c = password.charAt(0);
        return c == '!' || c == '*' || c == 'x' ? "locked" : "active";
    }

    /** The crypt(3) prefix id of "$id$...": 1, 5, 6, y, 2b, ...; null for anything else (locked hashes included). */
    static String hashAlg(String password) {
        if (password == null || password.length() < 3 || password.charAt(0) != '$') return null;
        int i = 1;
        while (i < password.length() && isWord(password.charAt(i))) i++;
        return i > 1 && i < password.length() && password.charAt(i) == '$' ? password.substring(1, i) : null;
    }

    private static boolean isWord(char c) {
        return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** glibc's files-parse.c field readers over one line. */
    private static final class Cursor {
        final String s;
        int pos;

        Cursor(String s) {
            this.s = s;
        }

        boolean atEnd() {
            return pos >= s.length();
        }

        char peek() {
            return s.charAt(pos);
        }

        String string() {
            int end = s.indexOf(':', pos);
            if (end < 0) end = s.length();
            String v = s.substring(pos, end);
            pos = Math.min(end + 1, s.length());
            return v;
        }

        /** INT_FIELD_MAYBE_NULL with the (long)(int) conversion: empty is -1, the field must exist. */
        Long number() {
            Long v = unsignedNumber();
            return v == null ? null : (long) (int) (long) v;
        }

        Long unsignedNumber() {
            if (atEnd()) return null;
            int start = pos, i = pos;
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
            boolean neg = false;
            if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) neg = s.charAt(i++) == '-';
            int digits = i;
            long v = 0;
            boolean overflow = false;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                long next = v * 10 + (s.charAt(i) - '0');
                if (Long.compareUnsigned(next, v) < 0 || Long.compareUnsigned(v, Long.divideUnsigned(-1L, 10)) > 0) overflow = true;
                v = next;
                i++;
            }
            long value;
            if (i == digits) {
                i = start; // no number: strtoul consumed nothing
                value = -1;
            } else {
                value = overflow ? -1L : neg ? -v : v;
            }
            if (i < s.length()) {
                if (s.charAt(i) != ':') return null;
                i++;
            }
            pos = i;
            return value;
        }
    }
}
