package io.hostql.sql.sqlite;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The system libsqlite3, bound with JNA direct mapping ({@code Native.register}).
 * Interface mapping with String arguments was measured 10-30x slower, so hot paths take byte[] and
 * Pointer only. Out-parameters are {@code long[1]}: JNA copies primitive arrays back after the call.
 */
public final class Sqlite {
    public static final int MIN_VERSION_NUMBER = 3_038_000;

    public static final int OK = 0, ERROR = 1, INTERNAL = 2, BUSY = 5, CONSTRAINT = 19, MISUSE = 21, AUTH = 23,
            ROW = 100, DONE = 101;
    public static final int DENY = 1, IGNORE = 2;

    public static final int INTEGER = 1, FLOAT = 2, TEXT = 3, BLOB = 4, NULL = 5;

    public static final int OPEN_READONLY = 0x1, OPEN_READWRITE = 0x2, OPEN_CREATE = 0x4, OPEN_URI = 0x40,
            OPEN_MEMORY = 0x80, OPEN_NOMUTEX = 0x8000, OPEN_FULLMUTEX = 0x10000, OPEN_EXRESCODE = 0x02000000;

    public static final int UTF8 = 1, DETERMINISTIC = 0x800, DIRECTONLY = 0x80000, INNOCUOUS = 0x200000;

    /** SQLITE_TRANSIENT: SQLite copies the value before the call returns (required for JNA-owned buffers). */
    public static final Pointer TRANSIENT = new Pointer(-1);

    private static final String LOAD_ERROR;

    static {
        String error = null;
        NativeLibrary lib = null;
        // hostql.sqlite.library names another library (tests use it to prove the missing-library message).
        String configured = System.getProperty("hostql.sqlite.library");
        String[] names = configured != null ? new String[] {configured} : new String[] {"sqlite3", "libsqlite3.so.0"};
        for (String name : names) {
            try {
                lib = NativeLibrary.getInstance(name);
                break;
            } catch (UnsatisfiedLinkError e) {
                String m = String.valueOf(e.getMessage()).strip();
                error = m.contains("\n") ? m.substring(0, m.indexOf('\n')).strip() : m; // JNA lists every path it tried
            }
        }
        if (lib != null) {
            try {
                Native.register(Sqlite.class, lib);
                error = null;
            } catch (Throwable e) {
                error = e.toString();
            }
        }
        LOAD_ERROR = lib == null || error != null
                ? "hostql needs the system SQLite library (libsqlite3 >= 3.38) and could not load it ("
                        + error + "). Install it with: apt-get install libsqlite3-0"
                : null;
    }

    private Sqlite() {}

    /** Fails with a message that says how to install SQLite when the library is missing or too old. */
    public static void requireUsable() {
        if (LOAD_ERROR != null) throw new SqliteUnavailableException(LOAD_ERROR);
        int v = sqlite3_libversion_number();
        if (v < MIN_VERSION_NUMBER) {
            throw new SqliteUnavailableException("hostql needs SQLite >= 3.38 for virtual-table IN pushdown, but the "
                    + "system libsqlite3 is " + version() + ". Upgrade it with: apt-get install libsqlite3-0 "
                    + "(Debian 12 / Ubuntu 22.04 or newer ship a recent enough version)");
        }
    }

    public static String version() {
        return sqlite3_libversion().getString(0);
    }

    public static native int sqlite3_libversion_number();
    public static native Pointer sqlite3_libversion();

    public static native int sqlite3_open_v2(byte[] filename, long[] ppDb, int flags, Pointer zVfs);
    public static native int sqlite3_close_v2(Pointer db);
    public static native Pointer sqlite3_errmsg(Pointer db);
    public static native Pointer sqlite3_errstr(int rc);
    public static native int sqlite3_extended_errcode(Pointer db);
    public static native int sqlite3_busy_timeout(Pointer db, int ms);
    public static native int sqlite3_changes(Pointer db);
    public static native void sqlite3_interrupt(Pointer db);
    public static native void sqlite3_progress_handler(Pointer db, int nOps, Pointer xProgress, Pointer arg);
    public static native long sqlite3_memory_used();
    public static native long sqlite3_memory_highwater(int resetFlag);
    public static native int sqlite3_complete(byte[] sqlNulTerminated);
    public static native int sqlite3_limit(Pointer db, int id, int newVal);
    public static native int sqlite3_enable_load_extension(Pointer db, int onoff);

    public static native int sqlite3_prepare_v2(Pointer db, Pointer zSql, int nByte, long[] ppStmt, long[] pzTail);
    public static native int sqlite3_step(Pointer stmt);
    public static native int sqlite3_reset(Pointer stmt);
    public static native int sqlite3_finalize(Pointer stmt);
    public static native int sqlite3_clear_bindings(Pointer stmt);
    public static native int sqlite3_stmt_readonly(Pointer stmt);
    public static native int sqlite3_bind_parameter_count(Pointer stmt);
    public static native int sqlite3_bind_int64(Pointer stmt, int i, long v);
    public static native int sqlite3_bind_double(Pointer stmt, int i, double v);
    public static native int sqlite3_bind_text(Pointer stmt, int i, byte[] v, int n, Pointer destructor);
    public static native int sqlite3_bind_blob(Pointer stmt, int i, byte[] v, int n, Pointer destructor);
    public static native int sqlite3_bind_null(Pointer stmt, int i);

    public static native int sqlite3_column_count(Pointer stmt);
    public static native Pointer sqlite3_column_name(Pointer stmt, int i);
    public static native Pointer sqlite3_column_decltype(Pointer stmt, int i);
    public static native int sqlite3_column_type(Pointer stmt, int i);
    public static native long sqlite3_column_int64(Pointer stmt, int i);
    public static native double sqlite3_column_double(Pointer stmt, int i);
    public static native Pointer sqlite3_column_text(Pointer stmt, int i);
    public static native Pointer sqlite3_column_blob(Pointer stmt, int i);
    public static native int sqlite3_column_bytes(Pointer stmt, int i);

    public static native int sqlite3_create_module_v2(Pointer db, byte[] zName, Pointer module, Pointer pAux,
            Pointer xDestroy);
    public static native int sqlite3_declare_vtab(Pointer db, byte[] zSql);
    public static native int sqlite3_vtab_in(Pointer indexInfo, int iCons, int bHandle);
    public static native int sqlite3_vtab_in_first(Pointer value, long[] ppOut);
    public static native int sqlite3_vtab_in_next(Pointer value, long[] ppOut);

    public static native Pointer sqlite3_malloc(int n);
    public static native void sqlite3_free(Pointer p);

    public static native int sqlite3_value_type(Pointer v);
    public static native long sqlite3_value_int64(Pointer v);
    public static native double sqlite3_value_double(Pointer v);
    public static native Pointer sqlite3_value_text(Pointer v);
    public static native Pointer sqlite3_value_blob(Pointer v);
    public static native int sqlite3_value_bytes(Pointer v);

    public static native void sqlite3_result_int64(Pointer ctx, long v);
    public static native void sqlite3_result_double(Pointer ctx, double v);
    public static native void sqlite3_result_text(Pointer ctx, byte[] v, int n, Pointer destructor);
    public static native void sqlite3_result_blob(Pointer ctx, byte[] v, int n, Pointer destructor);
    public static native void sqlite3_result_null(Pointer ctx);
    public static native void sqlite3_result_error(Pointer ctx, byte[] msg, int n);
    public static native Pointer sqlite3_user_data(Pointer ctx);

    public static native int sqlite3_set_authorizer(Pointer db, Pointer xAuth, Pointer pUserData);
    public static native int sqlite3_create_function_v2(Pointer db, byte[] zName, int nArg, int eTextRep,
            Pointer pApp, Pointer xFunc, Pointer xStep, Pointer xFinal, Pointer xDestroy);

    /** NUL-terminated UTF-8, as SQLite wants its C strings. */
    public static byte[] cstr(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }

    /** Copies a Java message into sqlite3_malloc'd memory, as SQLite frees zErrMsg with sqlite3_free. */
    public static Pointer mallocString(String s) {
        byte[] b = cstr(s);
        Pointer p = sqlite3_malloc(b.length);
        if (p != null) p.write(0, b, 0, b.length);
        return p;
    }

    public static String utf8(Pointer p, int len) {
        if (p == null) return null;
        return new String(p.getByteArray(0, len), java.nio.charset.StandardCharsets.UTF_8);
    }
}
