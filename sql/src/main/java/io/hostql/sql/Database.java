package io.hostql.sql;

import io.hostql.sql.sqlite.Callbacks;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.hostql.sql.sqlite.Sqlite;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableRegistry;
import io.hostql.sql.vtab.VirtualTables;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One SQLite connection with hostql's tables installed. User SQL ({@link #query}, {@link #run}) is
 * read-only, enforced by an authorizer; hostql's own SQL goes through {@link #executeTrusted}.
 * Methods are synchronized: a connection runs one statement at a time.
 */
public final class Database implements AutoCloseable {
    private static final int LIMIT_ATTACHED = 7;

    private final TableRegistry tables;
    private final Authorizer authorizer = new Authorizer();
    private Pointer db;

    private Database(Pointer db, TableRegistry tables) {
        this.db = db;
        this.tables = tables;
    }

    /** An in-memory database with the given tables, as the shell and scheduler use. */
    public static Database open(TableRegistry tables) {
        return open(":memory:", tables);
    }

    public static Database open(String filename, TableRegistry tables) {
        return open(filename, tables, true);
    }

    /**
     * A connection for hostql's own storage, which never runs user SQL: no read-only authorizer,
     * because SQLite re-prepares cached statements after schema changes outside any trusted window.
     */
    public static Database openInternal(String filename) {
        return open(filename, new TableRegistry(), false);
    }

    private static Database open(String filename, TableRegistry tables, boolean userFacing) {
        Sqlite.requireUsable();
        long[] out = new long[1];
        // NOMUTEX: this class's monitor already serialises every use of a connection (sqlite3_interrupt, the one call
        // made from another thread, needs no mutex), and SQLite's own lock and unlock around each API call were about
        // 5% of a busy subscriber's CPU (issue 15).
        int flags = Sqlite.OPEN_READWRITE | Sqlite.OPEN_CREATE | Sqlite.OPEN_URI | Sqlite.OPEN_NOMUTEX
                | Sqlite.OPEN_EXRESCODE;
        int rc = Sqlite.sqlite3_open_v2(Sqlite.cstr(filename), out, flags, null);
        Pointer p = new Pointer(out[0]);
        if (rc != Sqlite.OK) {
            String msg = out[0] == 0 ? "out of memory" : Sqlite.sqlite3_errmsg(p).getString(0);
            if (out[0] != 0) Sqlite.sqlite3_close_v2(p);
            throw new SqlException("cannot open database " + filename + ": " + msg, rc);
        }
        Database d = new Database(p, tables);
        Sqlite.sqlite3_busy_timeout(p, 5000);
        Sqlite.sqlite3_enable_load_extension(p, 0);
        VirtualTables.install(p, tables.all());
        if (userFacing) Sqlite.sqlite3_set_authorizer(p, Callbacks.pointer(d.authorizer), null);
        else d.authorizer.trusted = true;
        SqlFunctions.install(d);
        return d;
    }

    public TableRegistry tables() {
        return tables;
    }

    Pointer handle() {
        ensureOpen();
        return db;
    }

    /** Runs one read-only statement and returns all its rows. */
    public synchronized QueryResult query(String sql, Object... params) {
        List<QueryResult> results = new ArrayList<>();
        runInternal(sql, false, params, results::add);
        if (results.size() != 1) {
            throw new SqlException(results.isEmpty() ? "no SQL statement given" : "expected one SQL statement, got " + results.size());
        }
        return results.get(0);
    }

    /** Runs every statement of a script (read-only), handing over each statement's rows in turn. */
    public synchronized void run(String script, Consumer<QueryResult> each) {
        runInternal(script, false, new Object[0], each);
    }

    /** hostql's own SQL: not subject to the read-only authorizer. */
    public synchronized void executeTrusted(String script) {
        runInternal(script, true, new Object[0], r -> {});
    }

    public synchronized QueryResult queryTrusted(String sql, Object... params) {
        List<QueryResult> results = new ArrayList<>();
        runInternal(sql, true, params, results::add);
        return results.isEmpty() ? new QueryResult(List.of(), List.of()) : results.get(0);
    }

    /**
     * A trusted statement compiled once and run many times (hostql's own inserts). Use it from one
     * thread at a time, and close it before the database.
     */
    public synchronized Statement prepareTrusted(String sql) {
        ensureOpen();
        byte[] bytes = sql.getBytes(StandardCharsets.UTF_8);
        Memory text = new Memory(bytes.length + 1L);
        text.write(0, bytes, 0, bytes.length);
        text.setByte(bytes.length, (byte) 0);
        Pointer stmt = prepare(text, 0, bytes.length, true, new long[1]);
        if (stmt == null) throw new SqlException("no SQL statement given");
        return new Statement(stmt);
    }

    public final class Statement implements AutoCloseable {
        private Pointer stmt;
        private final int parameters;
        /**
         * What each parameter holds now (SQLite keeps bindings across resets; an unbound parameter is NULL): a value
         * equal to it is not bound again. Most columns of consecutive evented rows repeat (the same process, empty
         * strings, zero ports), and each bind is a JNA call, which was the largest part of an insert's cost (issue 15).
         */
        private final Object[] bound;

        private Statement(Pointer stmt) {
            this.stmt = stmt;
            this.parameters = Sqlite.sqlite3_bind_parameter_count(stmt);
            this.bound = new Object[parameters];
        }

        /** Binds the values, runs the statement to completion and resets it; returns rows changed. */
        public int execute(Object... params) {
            synchronized (Database.this) {
                run(params);
                return Sqlite.sqlite3_changes(db);
            }
        }

        /** As execute, without counting changes: the hot path of the subscribers' inserts. */
        public void run(Object... params) {
            synchronized (Database.this) {
                try {
                    bindChanged(params);
                    int rc = Sqlite.sqlite3_step(stmt);
                    if (rc != Sqlite.DONE && rc != Sqlite.ROW) throw sqliteError();
                } finally {
                    Sqlite.sqlite3_reset(stmt);
                }
            }
        }

        /** Binds the values and returns every row. */
        public QueryResult query(Object... params) {
            synchronized (Database.this) {
                try {
                    bindChanged(params);
                    return collect(stmt);
                } finally {
                    Sqlite.sqlite3_reset(stmt);
                }
            }
        }

        /** Binds the parameters whose value differs from the one they hold. */
        private void bindChanged(Object[] params) {
            requireCount(params, parameters);
            for (int i = 0; i < parameters; i++) {
                Object v = params[i];
                if (holds(bound[i], v)) continue;
                bound[i] = UNKNOWN; // until the bind succeeds
                bind(stmt, i, v);
                bound[i] = remembered(v);
            }
        }

        @Override
        public void close() {
            synchronized (Database.this) {
                if (stmt != null && db != null) Sqlite.sqlite3_finalize(stmt);
                stmt = null;
            }
        }
    }

    /**
     * User SQL compiled once and run many times, read-only like {@link #query}: exactly one
     * statement (trailing SQL is refused, not run).
     */
    public synchronized Statement prepare(String sql) {
        ensureOpen();
        byte[] bytes = sql.getBytes(StandardCharsets.UTF_8);
        Memory text = new Memory(bytes.length + 1L);
        text.write(0, bytes, 0, bytes.length);
        text.setByte(bytes.length, (byte) 0);
        long[] tail = new long[1];
        Pointer stmt = prepare(text, 0, bytes.length, false, tail);
        if (stmt == null) throw new SqlException("no SQL statement given");
        String rest = tail[0] == 0 ? "" : new String(bytes, (int) (tail[0] - Pointer.nativeValue(text)),
                bytes.length - (int) (tail[0] - Pointer.nativeValue(text)), StandardCharsets.UTF_8);
        if (!rest.isBlank() || Sqlite.sqlite3_stmt_readonly(stmt) == 0) {
            Sqlite.sqlite3_finalize(stmt);
            throw new SqlException(rest.isBlank() ? "statement refused: hostql's SQL is read-only"
                    : "only one SQL statement is allowed here; found more after it: " + rest.strip());
        }
        return new Statement(stmt);
    }

    /** Attaches another database file read-only under the alias (trusted; user SQL cannot ATTACH). */
    public synchronized void attachReadOnly(java.nio.file.Path file, String alias) {
        String uri = "file:" + file.toAbsolutePath().toString().replace("%", "%25").replace("?", "%3f").replace("#", "%23") + "?mode=ro";
        executeTrusted("ATTACH DATABASE '" + uri.replace("'", "''") + "' AS \"" + alias.replace("\"", "\"\"") + "\"");
    }

    /** Checks that a statement compiles (tables and columns exist, required columns given) without running it. */
    public synchronized List<String> validate(String sql) {
        ensureOpen();
        byte[] bytes = sql.getBytes(StandardCharsets.UTF_8);
        Memory text = new Memory(bytes.length + 1L);
        text.write(0, bytes, 0, bytes.length);
        text.setByte(bytes.length, (byte) 0);
        Pointer stmt = prepare(text, 0, bytes.length, false, new long[1]);
        try {
            if (stmt == null) throw new SqlException("no SQL statement given");
            List<String> cols = new ArrayList<>();
            for (int i = 0, n = Sqlite.sqlite3_column_count(stmt); i < n; i++) {
                cols.add(Sqlite.sqlite3_column_name(stmt, i).getString(0, "UTF-8"));
            }
            return cols;
        } finally {
            if (stmt != null) Sqlite.sqlite3_finalize(stmt);
        }
    }

    /** Whether the text ends a complete statement (the shell's multi-line input). */
    public static boolean isComplete(String sql) {
        Sqlite.requireUsable();
        return Sqlite.sqlite3_complete(Sqlite.cstr(sql)) != 0;
    }

    /**
     * Adds a SQL function to this connection only. It is not deterministic, so SQLite calls it for
     * each statement rather than folding it in: a value may differ from one run to the next.
     */
    public synchronized void createFunction(String name, int nArgs, java.util.function.Function<Object[], Object> fn) {
        ensureOpen();
        SqlFunctions.installVolatile(this, name, nArgs, fn::apply);
    }

    /** SQLite's own heap in use, process-wide (every connection's page caches, sorters and strings). */
    public static long sqliteMemoryUsed() {
        return Sqlite.sqlite3_memory_used();
    }

    /** The most SQLite's heap held since the last reset (process-wide); reset starts a new measure. */
    public static long sqliteMemoryHighwater(boolean reset) {
        return Sqlite.sqlite3_memory_highwater(reset ? 1 : 0);
    }

    /** Called every {@code ops} VM steps of a running statement; stops the statement (SQLITE_INTERRUPT) when it returns true. */
    public interface ProgressCheck {
        boolean stop();
    }

    interface ProgressCallback extends com.sun.jna.Callback {
        int invoke(Pointer arg);
    }

    private ProgressCallback progress; // kept reachable while SQLite holds it

    public synchronized void setProgressCheck(int ops, ProgressCheck check) {
        ensureOpen();
        progress = arg -> {
            try {
                return check.stop() ? 1 : 0;
            } catch (Throwable e) {
                return 0; // a failing check must not stop queries; JNA would swallow the exception anyway
            }
        };
        Sqlite.sqlite3_progress_handler(db, ops, Callbacks.pointer(progress), null);
    }

    /**
     * Stops the running statement from another thread (the shell's Ctrl-C, the daemon's watchdog): it
     * fails with {@link #INTERRUPTED}. SQLite stops at its next VM step; a Java generator filling a
     * snapshot table stops at its next row (or blocking call), as its thread is interrupted too. A
     * no-op when nothing runs.
     */
    public void interrupt() {
        synchronized (running) {
            // Only while a statement runs: it holds this connection's monitor, so close() cannot free it meanwhile.
            if (runner == null) return;
            cancelled = true;
            Sqlite.sqlite3_interrupt(db);
            runner.interrupt();
        }
    }

    /** The message of a statement stopped by {@link #interrupt}, as SQLite's. */
    public static final String INTERRUPTED = "interrupted";

    private final Object running = new Object();
    private Thread runner; // the thread stepping a statement, guarded by running
    private boolean cancelled; // interrupt() was called during the current statement, guarded by running

    private void beginStatement() {
        synchronized (running) {
            runner = Thread.currentThread();
            cancelled = false;
        }
    }

    /** True when the statement that just ended was interrupted; clears the interrupt this class set on the thread. */
    private boolean endStatement() {
        synchronized (running) {
            runner = null;
            boolean was = cancelled;
            if (was) Thread.interrupted();
            cancelled = false;
            return was;
        }
    }

    private void runInternal(String script, boolean trusted, Object[] params, Consumer<QueryResult> each) {
        ensureOpen();
        byte[] bytes = script.getBytes(StandardCharsets.UTF_8);
        Memory text = new Memory(bytes.length + 1L);
        text.write(0, bytes, 0, bytes.length);
        text.setByte(bytes.length, (byte) 0);
        long base = Pointer.nativeValue(text);
        long offset = 0;
        long[] tail = new long[1];
        while (offset < bytes.length) {
            Pointer stmt = prepare(text, offset, (int) (bytes.length - offset), trusted, tail);
            long next = tail[0] == 0 ? bytes.length : tail[0] - base;
            if (next <= offset) break;
            offset = next;
            if (stmt == null) continue; // whitespace or a comment
            try {
                if (!trusted && Sqlite.sqlite3_stmt_readonly(stmt) == 0) {
                    throw new SqlException("statement refused: hostql's SQL is read-only");
                }
                bind(stmt, params);
                each.accept(collect(stmt));
            } finally {
                Sqlite.sqlite3_finalize(stmt);
            }
        }
    }

    private Pointer prepare(Memory text, long offset, int length, boolean trusted, long[] tail) {
        long[] out = new long[1];
        authorizer.reset();
        boolean wasTrusted = authorizer.trusted;
        authorizer.trusted = wasTrusted || trusted;
        VirtualTables.clearMissingRequired();
        int rc;
        try {
            rc = Sqlite.sqlite3_prepare_v2(db, text.share(offset), length, out, tail);
        } finally {
            authorizer.trusted = wasTrusted;
        }
        if (rc != Sqlite.OK) {
            String msg = Sqlite.sqlite3_errmsg(db).getString(0, "UTF-8");
            Table missing = VirtualTables.takeMissingRequired();
            if (authorizer.denial != null) {
                throw new SqlException(authorizer.denial);
            }
            if (missing != null && msg.contains("no query solution")) {
                throw new SqlException(RequiredColumns.message(missing.schema()));
            }
            throw new SqlException(msg, Sqlite.sqlite3_extended_errcode(db));
        }
        return out[0] == 0 ? null : new Pointer(out[0]);
    }

    private void bind(Pointer stmt, Object[] params) {
        bind(stmt, params, Sqlite.sqlite3_bind_parameter_count(stmt));
    }

    private void bind(Pointer stmt, Object[] params, int n) {
        requireCount(params, n);
        for (int i = 0; i < n; i++) bind(stmt, i, params[i]);
    }

    private static void requireCount(Object[] params, int n) {
        if (params.length != n) {
            throw new SqlException("statement has " + n + " parameters but " + params.length + " values were given");
        }
    }

    /** A parameter whose value is not known (a bind failed, or a value not worth comparing): bound again next time. */
    private static final Object UNKNOWN = new Object();
    /** Text bytes longer than this are not remembered (the copy and the comparison would cost more than the bind). */
    private static final int REMEMBERED_BYTES = 256;

    /** Whether a parameter holding {@code held} (see {@link #remembered}) already holds v. */
    private static boolean holds(Object held, Object v) {
        if (held == v) return true; // null, or the same immutable value (held bytes are a copy of the caller's, never the same array)
        if (held == null || v == null || held == UNKNOWN) return false;
        // The usual types first, without a call to equals (C1 does not inline a call through Object).
        if (v instanceof Long l) return held instanceof Long h && h.longValue() == l.longValue();
        if (v instanceof String t) return held instanceof String h && h.equals(t);
        if (v instanceof byte[] b) return held instanceof byte[] h && java.util.Arrays.equals(h, b);
        return held.getClass() == v.getClass() && held.equals(v); // Integer, Short, Boolean, Double, Float: what remembered keeps
    }

    /** What a parameter bound to v holds, for {@link #holds}: immutable values as they are, text bytes as a copy (the caller may reuse the array). */
    private static Object remembered(Object v) {
        if (v == null || v instanceof String || v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Boolean
                || v instanceof Double || v instanceof Float) return v;
        if (v instanceof byte[] b && b.length <= REMEMBERED_BYTES) return b.clone();
        return UNKNOWN;
    }

    private void bind(Pointer stmt, int i, Object v) {
        int rc;
        if (v == null) rc = Sqlite.sqlite3_bind_null(stmt, i + 1);
        else if (v instanceof Long || v instanceof Integer || v instanceof Short) rc = Sqlite.sqlite3_bind_int64(stmt, i + 1, ((Number) v).longValue());
        else if (v instanceof Boolean b) rc = Sqlite.sqlite3_bind_int64(stmt, i + 1, b ? 1 : 0);
        else if (v instanceof Number num) rc = Sqlite.sqlite3_bind_double(stmt, i + 1, num.doubleValue());
        // As in RowSink: byte[] is text in raw bytes (a non-UTF-8 path stays exact), Blob is a BLOB.
        else if (v instanceof byte[] b) rc = Sqlite.sqlite3_bind_text(stmt, i + 1, b, b.length, Sqlite.TRANSIENT);
        else if (v instanceof io.hostql.sql.table.Blob b) rc = Sqlite.sqlite3_bind_blob(stmt, i + 1, b.bytes(), b.bytes().length, Sqlite.TRANSIENT);
        else {
            byte[] b = v.toString().getBytes(StandardCharsets.UTF_8);
            rc = Sqlite.sqlite3_bind_text(stmt, i + 1, b, b.length, Sqlite.TRANSIENT);
        }
        if (rc != Sqlite.OK) throw new SqlException("cannot bind parameter " + (i + 1) + ": " + errmsg());
    }

    private QueryResult collect(Pointer stmt) {
        int n = Sqlite.sqlite3_column_count(stmt);
        List<String> columns = new ArrayList<>(n);
        for (int i = 0; i < n; i++) columns.add(Sqlite.sqlite3_column_name(stmt, i).getString(0, "UTF-8"));
        List<Object[]> rows = new ArrayList<>();
        // A table-valued pragma (pragma_table_info, ...) prepares its PRAGMA while stepping: keep that refusal's reason.
        authorizer.reset();
        beginStatement();
        String failure = null;
        int failureCode = 0;
        try {
            while (true) {
                int rc = Sqlite.sqlite3_step(stmt);
                if (rc == Sqlite.DONE) break;
                if (rc != Sqlite.ROW) {
                    failure = authorizer.denial != null ? authorizer.denial : errmsg();
                    if (authorizer.denial == null) failureCode = Sqlite.sqlite3_extended_errcode(db);
                    break;
                }
                Object[] row = new Object[n];
                for (int i = 0; i < n; i++) row[i] = columnValue(stmt, i);
                rows.add(row);
            }
        } finally {
            // Whatever a stopped generator reported, the statement was interrupted.
            if (endStatement() && failure != null) failure = INTERRUPTED;
        }
        if (failure != null) throw new SqlException(failure, failureCode);
        return new QueryResult(columns, rows);
    }

    private static Object columnValue(Pointer stmt, int i) {
        switch (Sqlite.sqlite3_column_type(stmt, i)) {
            case Sqlite.INTEGER:
                return Sqlite.sqlite3_column_int64(stmt, i);
            case Sqlite.FLOAT:
                return Sqlite.sqlite3_column_double(stmt, i);
            case Sqlite.TEXT: {
                Pointer p = Sqlite.sqlite3_column_text(stmt, i);
                return Sqlite.utf8(p, Sqlite.sqlite3_column_bytes(stmt, i));
            }
            case Sqlite.BLOB: {
                Pointer p = Sqlite.sqlite3_column_blob(stmt, i);
                int len = Sqlite.sqlite3_column_bytes(stmt, i);
                return p == null ? new byte[0] : p.getByteArray(0, len);
            }
            default:
                return null;
        }
    }

    /** The connection's last error, with SQLite's extended result code (a damaged file is told apart by it). */
    private SqlException sqliteError() {
        return new SqlException(errmsg(), Sqlite.sqlite3_extended_errcode(db));
    }

    private String errmsg() {
        return Sqlite.sqlite3_errmsg(db).getString(0, "UTF-8");
    }

    private void ensureOpen() {
        if (db == null) throw new SqlException("database is closed");
    }

    @Override
    public synchronized void close() {
        if (db != null) {
            Sqlite.sqlite3_close_v2(db);
            db = null;
        }
    }
}
