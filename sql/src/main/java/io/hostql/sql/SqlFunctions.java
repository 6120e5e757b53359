package io.hostql.sql;

import com.sun.jna.Callback;
import io.hostql.sql.sqlite.Callbacks;
import com.sun.jna.Pointer;
import io.hostql.sql.sqlite.Sqlite;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** osquery's SQL function additions, so pack queries that use them run unmodified. */
final class SqlFunctions {
    /** A scalar function: arguments are Long, Double, String, byte[] or null; the result likewise. */
    interface Fn {
        Object apply(Object[] args) throws Exception;
    }

    interface XFunc extends Callback {
        void invoke(Pointer ctx, int argc, Pointer argv);
    }

    private record Def(String name, int nArg, Fn fn) {}

    private static final List<Def> DEFS = new CopyOnWriteArrayList<>();
    private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();
    private static final XFunc X_FUNC = SqlFunctions::call; // static: must never be collected

    static {
        def("split", 3, a -> split(text(a[0]), text(a[1]), a[2]));
        def("regex_split", 3, a -> regexSplit(text(a[0]), text(a[1]), a[2]));
        def("regex_match", 3, a -> regexMatch(text(a[0]), text(a[1]), a[2]));
        def("concat", -1, SqlFunctions::concat);
        def("concat_ws", -1, SqlFunctions::concatWs);
        def("to_base64", 1, a -> a[0] == null ? null : Base64.getEncoder().encodeToString(bytes(a[0])));
        def("from_base64", 1, a -> a[0] == null ? null : fromBase64(text(a[0])));
        def("conditional_to_base64", 1, a -> conditionalBase64(a[0]));
        def("md5", 1, a -> digest("MD5", a[0]));
        def("sha1", 1, a -> digest("SHA-1", a[0]));
        def("sha256", 1, a -> digest("SHA-256", a[0]));
        def("inet_aton", 1, a -> inetAton(text(a[0])));
        def("version_compare", 2, a -> versionCompare(text(a[0]), text(a[1])));
    }

    private SqlFunctions() {}

    private static void def(String name, int nArg, Fn fn) {
        DEFS.add(new Def(name, nArg, fn));
    }

    static void install(Database d) {
        Pointer fp = Callbacks.pointer(X_FUNC);
        for (int i = 0; i < DEFS.size(); i++) {
            Def def = DEFS.get(i);
            int rc = Sqlite.sqlite3_create_function_v2(d.handle(), Sqlite.cstr(def.name), def.nArg,
                    Sqlite.UTF8 | Sqlite.DETERMINISTIC | Sqlite.INNOCUOUS, new Pointer(i), fp, null, null, null);
            if (rc != Sqlite.OK) throw new IllegalStateException("cannot register SQL function " + def.name);
        }
    }

    /** One connection's own function, not deterministic: its value may change between statements (the scheduler's windows). */
    static void installVolatile(Database d, String name, int nArg, Fn fn) {
        int i;
        synchronized (DEFS) {
            DEFS.add(new Def(name, nArg, fn));
            i = DEFS.size() - 1;
        }
        int rc = Sqlite.sqlite3_create_function_v2(d.handle(), Sqlite.cstr(name), nArg, Sqlite.UTF8 | Sqlite.INNOCUOUS,
                new Pointer(i), Callbacks.pointer(X_FUNC), null, null, null);
        if (rc != Sqlite.OK) throw new IllegalStateException("cannot register SQL function " + name);
    }

    private static void call(Pointer ctx, int argc, Pointer argv) {
        Def def = null;
        try {
            def = DEFS.get((int) Pointer.nativeValue(Sqlite.sqlite3_user_data(ctx)));
            Object[] args = new Object[argc];
            for (int i = 0; i < argc; i++) args[i] = value(argv.getPointer(8L * i));
            Object r = def.fn.apply(args);
            if (r == null) Sqlite.sqlite3_result_null(ctx);
            else if (r instanceof Long l) Sqlite.sqlite3_result_int64(ctx, l);
            else if (r instanceof Integer n) Sqlite.sqlite3_result_int64(ctx, n);
            else if (r instanceof Double x) Sqlite.sqlite3_result_double(ctx, x);
            else {
                byte[] b = r.toString().getBytes(StandardCharsets.UTF_8);
                Sqlite.sqlite3_result_text(ctx, b, b.length, Sqlite.TRANSIENT);
            }
        } catch (Throwable e) {
            byte[] msg = ((def == null ? "function" : def.name + "()") + ": " + e.getMessage()).getBytes(StandardCharsets.UTF_8);
            Sqlite.sqlite3_result_error(ctx, msg, msg.length);
        }
    }

    private static Object value(Pointer v) {
        switch (Sqlite.sqlite3_value_type(v)) {
            case Sqlite.INTEGER: return Sqlite.sqlite3_value_int64(v);
            case Sqlite.FLOAT: return Sqlite.sqlite3_value_double(v);
            case Sqlite.TEXT: return Sqlite.utf8(Sqlite.sqlite3_value_text(v), Sqlite.sqlite3_value_bytes(v));
            case Sqlite.BLOB: {
                Pointer p = Sqlite.sqlite3_value_blob(v);
                return p == null ? new byte[0] : p.getByteArray(0, Sqlite.sqlite3_value_bytes(v));
            }
            default: return null;
        }
    }

    private static String text(Object o) {
        if (o == null) return null;
        if (o instanceof byte[] b) return new String(b, StandardCharsets.UTF_8);
        if (o instanceof Double d) return QueryResult.formatDouble(d);
        return o.toString();
    }

    private static byte[] bytes(Object o) {
        return o instanceof byte[] b ? b : text(o).getBytes(StandardCharsets.UTF_8);
    }

    private static int index(Object o) {
        if (o instanceof Long l) return l.intValue();
        if (o instanceof Double d) return d.intValue();
        try {
            return Integer.parseInt(text(o).trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("index must be an integer, got " + text(o));
        }
    }

    /** osquery: split on any of the token characters, dropping empty pieces; the index-th piece or NULL. */
    private static Object split(String s, String tokens, Object idx) {
        if (s == null || tokens == null) return null;
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (tokens.indexOf(c) >= 0) {
                if (cur.length() > 0) parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (cur.length() > 0) parts.add(cur.toString());
        int i = index(idx);
        return i >= 0 && i < parts.size() ? parts.get(i) : null;
    }

    private static Pattern pattern(String regex) {
        return PATTERNS.computeIfAbsent(regex, Pattern::compile);
    }

    private static Object regexSplit(String s, String regex, Object idx) {
        if (s == null || regex == null) return null;
        List<String> parts = new ArrayList<>();
        for (String p : pattern(regex).split(s)) if (!p.isEmpty()) parts.add(p);
        int i = index(idx);
        return i >= 0 && i < parts.size() ? parts.get(i) : null;
    }

    /** osquery: the index-th group of the first match (0 = the whole match), or NULL. */
    private static Object regexMatch(String s, String regex, Object idx) {
        if (s == null || regex == null) return null;
        Matcher m = pattern(regex).matcher(s);
        int i = index(idx);
        if (!m.find() || i < 0 || i > m.groupCount()) return null;
        return m.group(i);
    }

    private static Object concat(Object[] a) {
        StringBuilder sb = new StringBuilder();
        for (Object o : a) if (o != null) sb.append(text(o));
        return sb.toString();
    }

    private static Object concatWs(Object[] a) {
        if (a.length == 0) throw new IllegalArgumentException("needs a separator");
        String sep = text(a[0]);
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < a.length; i++) {
            if (a[i] == null) continue;
            if (sb.length() > 0) sb.append(sep);
            sb.append(text(a[i]));
        }
        return sb.toString();
    }

    private static Object fromBase64(String s) {
        try {
            return new String(Base64.getMimeDecoder().decode(s), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Object conditionalBase64(Object o) {
        if (o == null) return null;
        byte[] b = bytes(o);
        for (byte x : b) {
            if (x < 0x20 && x != '\t' && x != '\n' && x != '\r' || x < 0) return Base64.getEncoder().encodeToString(b);
        }
        return text(o);
    }

    private static Object digest(String algorithm, Object o) throws Exception {
        if (o == null) return null;
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes(o)));
    }

    private static Object inetAton(String s) {
        if (s == null) return null;
        String[] p = s.trim().split("\\.");
        if (p.length != 4) return null;
        long v = 0;
        for (String part : p) {
            try {
                int b = Integer.parseInt(part);
                if (b < 0 || b > 255) return null;
                v = (v << 8) | b;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return v;
    }

    /** -1, 0 or 1, comparing dotted versions numerically part by part (Debian-style suffixes compare as text). */
    static Object versionCompare(String a, String b) {
        if (a == null || b == null) return null;
        String[] x = a.split("[.\\-:~+]"), y = b.split("[.\\-:~+]");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            String p = i < x.length ? x[i] : "0", q = i < y.length ? y[i] : "0";
            int c;
            if (p.matches("\\d+") && q.matches("\\d+")) c = new java.math.BigInteger(p).compareTo(new java.math.BigInteger(q));
            else c = p.compareTo(q);
            if (c != 0) return (long) Integer.signum(c);
        }
        return 0L;
    }
}
