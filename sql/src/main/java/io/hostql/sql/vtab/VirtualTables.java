package io.hostql.sql.vtab;

import com.sun.jna.Callback;
import io.hostql.sql.sqlite.Callbacks;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.hostql.sql.sqlite.Sqlite;
import io.hostql.sql.table.Blob;
import io.hostql.sql.table.Column;
import io.hostql.sql.table.Constraint;
import io.hostql.sql.table.ConstraintOp;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Exposes Java {@link Table}s to SQLite as eponymous-only virtual tables (xCreate is NULL, so
 * {@code SELECT * FROM processes} needs no CREATE).
 *
 * <p>The JNA pitfalls found in the prototypes, each with a regression test:
 * <ul>
 *   <li>JNA swallows exceptions thrown in callbacks and returns 0 (SQLITE_OK): every callback catches
 *       Throwable, puts an sqlite3_malloc'd message in {@code pVtab->zErrMsg} and returns SQLITE_ERROR.</li>
 *   <li>{@code Structure.toArray(n)} does not read element 0: index info is read with raw offsets.</li>
 *   <li>Callbacks and the module struct are collected if unreferenced: they are static, for the JVM's life.</li>
 *   <li>Text results use SQLITE_TRANSIENT, because JNA frees its copy of the byte[] after the call.</li>
 * </ul>
 */
public final class VirtualTables {
    // struct sqlite3_vtab { pModule; int nRef; char *zErrMsg; } followed by our table id.
    private static final int VTAB_ERRMSG = 16, VTAB_TABLE_ID = 24, VTAB_SIZE = 32;
    // struct sqlite3_vtab_cursor { pVtab; } followed by our cursor id.
    private static final int CURSOR_ID = 8, CURSOR_SIZE = 16;
    // struct sqlite3_index_info (64-bit layout).
    private static final int II_NCONSTRAINT = 0, II_ACONSTRAINT = 8, II_ACONSTRAINTUSAGE = 32, II_IDXNUM = 40,
            II_IDXSTR = 48, II_NEEDFREE = 56, II_COST = 64, II_ROWS = 72, II_COLUSED = 88;
    private static final int CONSTRAINT_SIZE = 12, USAGE_SIZE = 8;

    private static final double SCAN_COST = 1_000_000;

    private static final List<Table> TABLES = new CopyOnWriteArrayList<>();
    private static final Map<Table, Integer> TABLE_IDS = new ConcurrentHashMap<>();
    private static final Map<Long, Cursor> CURSORS = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT_CURSOR = new AtomicLong(1);
    /** The last table whose required columns were missing in xBestIndex on this thread, for a clear error. */
    private static final ThreadLocal<Table> MISSING_REQUIRED = new ThreadLocal<>();
    /** Set while xConnect declares a table's schema, which SQLite runs through the authorizer. */
    private static final ThreadLocal<Boolean> DECLARING = ThreadLocal.withInitial(() -> false);

    // Strongly reachable for the JVM's lifetime: a collected callback leaves SQLite calling freed code.
    private static final XConnect X_CONNECT = VirtualTables::xConnect;
    private static final XBestIndex X_BEST_INDEX = VirtualTables::xBestIndex;
    private static final XVtab X_DISCONNECT = VirtualTables::xDisconnect;
    private static final XOpen X_OPEN = VirtualTables::xOpen;
    private static final XCursor X_CLOSE = VirtualTables::xClose;
    private static final XFilter X_FILTER = VirtualTables::xFilter;
    private static final XCursor X_NEXT = VirtualTables::xNext;
    private static final XCursor X_EOF = VirtualTables::xEof;
    private static final XColumn X_COLUMN = VirtualTables::xColumn;
    private static final XRowid X_ROWID = VirtualTables::xRowid;
    private static final Memory MODULE = module();

    private VirtualTables() {}

    /** Registers each table as an eponymous virtual table on this connection. */
    public static void install(Pointer db, Iterable<Table> tables) {
        for (Table t : tables) {
            int id = TABLE_IDS.computeIfAbsent(t, k -> {
                TABLES.add(k);
                return TABLES.size() - 1;
            });
            int rc = Sqlite.sqlite3_create_module_v2(db, Sqlite.cstr(t.schema().name()), MODULE, new Pointer(id), null);
            if (rc != Sqlite.OK) {
                throw new IllegalStateException("cannot register table " + t.schema().name() + ": "
                        + Sqlite.sqlite3_errmsg(db).getString(0));
            }
        }
    }

    /** The table whose required column was missing during the last failed prepare on this thread. */
    public static Table takeMissingRequired() {
        Table t = MISSING_REQUIRED.get();
        MISSING_REQUIRED.remove();
        return t;
    }

    public static void clearMissingRequired() {
        MISSING_REQUIRED.remove();
    }

    /** True while hostql itself declares a virtual table's schema on this thread. */
    public static boolean declaring() {
        return DECLARING.get();
    }

    public static int openCursors() {
        return CURSORS.size();
    }

    private static Memory module() {
        Memory m = new Memory(8 + 24 * 8);
        m.clear();
        m.setInt(0, 1); // iVersion
        // slot 0 xCreate stays NULL: eponymous-only.
        setFn(m, 1, X_CONNECT);
        setFn(m, 2, X_BEST_INDEX);
        setFn(m, 3, X_DISCONNECT);
        setFn(m, 4, X_DISCONNECT); // xDestroy
        setFn(m, 5, X_OPEN);
        setFn(m, 6, X_CLOSE);
        setFn(m, 7, X_FILTER);
        setFn(m, 8, X_NEXT);
        setFn(m, 9, X_EOF);
        setFn(m, 10, X_COLUMN);
        setFn(m, 11, X_ROWID);
        return m;
    }

    private static void setFn(Memory m, int slot, Callback cb) {
        m.setPointer(8 + 8L * slot, Callbacks.pointer(cb));
    }

    // ---- callbacks -------------------------------------------------------------------------

    private static int xConnect(Pointer db, Pointer aux, int argc, Pointer argv, Pointer ppVtab, Pointer pzErr) {
        try {
            Table t = TABLES.get((int) Pointer.nativeValue(aux));
            int rc;
            DECLARING.set(true);
            try {
                rc = Sqlite.sqlite3_declare_vtab(db, Sqlite.cstr(t.schema().createStatement(true)));
            } finally {
                DECLARING.set(false);
            }
            if (rc != Sqlite.OK) {
                pzErr.setPointer(0, Sqlite.mallocString("cannot declare table " + t.schema().name() + ": "
                        + Sqlite.sqlite3_errmsg(db).getString(0)));
                return rc;
            }
            Pointer vtab = Sqlite.sqlite3_malloc(VTAB_SIZE);
            if (vtab == null) return 7; // SQLITE_NOMEM
            vtab.clear(VTAB_SIZE);
            vtab.setLong(VTAB_TABLE_ID, Pointer.nativeValue(aux));
            ppVtab.setPointer(0, vtab);
            return Sqlite.OK;
        } catch (Throwable e) {
            pzErr.setPointer(0, Sqlite.mallocString(describe(e)));
            return Sqlite.ERROR;
        }
    }

    private static int xDisconnect(Pointer vtab) {
        Sqlite.sqlite3_free(vtab);
        return Sqlite.OK;
    }

    private static Table table(Pointer vtab) {
        return TABLES.get((int) vtab.getLong(VTAB_TABLE_ID));
    }

    private static int xBestIndex(Pointer vtab, Pointer info) {
        try {
            Table table = table(vtab);
            TableSchema schema = table.schema();
            int n = info.getInt(II_NCONSTRAINT);
            Pointer cons = info.getPointer(II_ACONSTRAINT);
            Pointer usage = info.getPointer(II_ACONSTRAINTUSAGE);
            StringBuilder plan = new StringBuilder();
            int argv = 0;
            boolean requiredMet = false;
            int equalities = 0;
            // Raw offsets for every element, element 0 included (Structure.toArray skips reading it).
            for (int i = 0; i < n; i++) {
                long off = (long) i * CONSTRAINT_SIZE;
                int col = cons.getInt(off);
                int opCode = cons.getByte(off + 4) & 0xff;
                boolean usable = cons.getByte(off + 5) != 0;
                ConstraintOp op = ConstraintOp.of(opCode);
                if (!usable || op == null || col < 0 || col >= schema.columns().size()) continue;
                Column c = schema.column(col);
                if (!c.pushedDown()) continue;
                boolean in = op == ConstraintOp.EQ && Sqlite.sqlite3_vtab_in(info, i, -1) != 0;
                if (in) Sqlite.sqlite3_vtab_in(info, i, 1);
                argv++;
                usage.setInt((long) i * USAGE_SIZE, argv);
                usage.setByte((long) i * USAGE_SIZE + 4, (byte) 0); // SQLite re-checks every row
                plan.append(col).append(':').append(op.code).append(':').append(in ? 1 : 0).append(';');
                if (c.required() && (op == ConstraintOp.EQ || op == ConstraintOp.LIKE || op == ConstraintOp.GLOB)) {
                    requiredMet = true;
                }
                if (op == ConstraintOp.EQ) equalities++;
            }
            if (!requiredMet && !schema.requiredColumns().isEmpty()) {
                MISSING_REQUIRED.set(table);
                return Sqlite.CONSTRAINT;
            }
            info.setInt(II_IDXNUM, argv);
            // idxStr carries the plan to xFilter: "<colUsed hex>|col:op:in;col:op:in;..."
            String idx = Long.toHexString(info.getLong(II_COLUSED)) + "|" + plan;
            info.setPointer(II_IDXSTR, Sqlite.mallocString(idx));
            info.setInt(II_NEEDFREE, 1);
            double cost = argv == 0 ? SCAN_COST : SCAN_COST / (10.0 * (1 + equalities) * argv);
            info.setDouble(II_COST, cost);
            info.setLong(II_ROWS, argv == 0 ? 100_000 : Math.max(1, 100 / (1 + equalities)));
            return Sqlite.OK;
        } catch (Throwable e) {
            setError(vtab, "planning a query on table " + safeName(vtab) + " failed: " + describe(e));
            return Sqlite.ERROR;
        }
    }

    private static int xOpen(Pointer vtab, Pointer ppCursor) {
        try {
            Pointer cur = Sqlite.sqlite3_malloc(CURSOR_SIZE);
            if (cur == null) return 7;
            cur.clear(CURSOR_SIZE);
            long id = NEXT_CURSOR.getAndIncrement();
            cur.setLong(CURSOR_ID, id);
            CURSORS.put(id, new Cursor(table(vtab)));
            ppCursor.setPointer(0, cur);
            return Sqlite.OK;
        } catch (Throwable e) {
            setError(vtab, describe(e));
            return Sqlite.ERROR;
        }
    }

    private static int xClose(Pointer cur) {
        CURSORS.remove(cur.getLong(CURSOR_ID));
        Sqlite.sqlite3_free(cur);
        return Sqlite.OK;
    }

    private static Cursor cursor(Pointer cur) {
        return CURSORS.get(cur.getLong(CURSOR_ID));
    }

    private static int xFilter(Pointer cur, int idxNum, Pointer idxStr, int argc, Pointer argv) {
        Cursor c = cursor(cur);
        try {
            TableSchema schema = c.table.schema();
            Map<String, List<Constraint>> constraints = new HashMap<>();
            String idx = idxStr == null ? "ffffffffffffffff|" : idxStr.getString(0);
            int bar = idx.indexOf('|');
            long colUsed = Long.parseUnsignedLong(idx.substring(0, bar), 16);
            String planText = idx.substring(bar + 1);
            if (!planText.isEmpty() && argc > 0) {
                String[] parts = planText.split(";");
                for (int k = 0; k < parts.length && k < argc; k++) {
                    String[] p = parts[k].split(":");
                    String column = schema.column(Integer.parseInt(p[0])).name();
                    ConstraintOp op = ConstraintOp.of(Integer.parseInt(p[1]));
                    boolean in = "1".equals(p[2]);
                    Pointer value = argv.getPointer(8L * k);
                    List<Constraint> list = constraints.computeIfAbsent(column, x -> new ArrayList<>());
                    if (in && readInList(value, op, list)) continue;
                    list.add(new Constraint(op, readValue(value)));
                }
            }
            QueryContext ctx = new QueryContext(schema, constraints, colUsed);
            c.pos = 0;
            c.rows = io.hostql.sql.table.RowCache.rows(c.table, Long.toHexString(colUsed) + "|" + new java.util.TreeMap<>(constraints), () -> {
                c.rows = new ArrayList<>();
                try {
                    c.table.generate(ctx, c.sink());
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new GenerateFailed(e);
                }
                return c.rows;
            });
            return Sqlite.OK;
        } catch (GenerateFailed e) {
            c.rows = List.of();
            setError(cur.getPointer(0), "table " + c.table.schema().name() + ": " + describe(e.getCause()));
            return Sqlite.ERROR;
        } catch (Throwable e) {
            c.rows = List.of();
            setError(cur.getPointer(0), "table " + c.table.schema().name() + ": " + describe(e));
            return Sqlite.ERROR;
        }
    }

    /** An all-at-once IN list; false when SQLite passed a single value after all. */
    private static boolean readInList(Pointer list, ConstraintOp op, List<Constraint> out) {
        long[] v = new long[1];
        int rc = Sqlite.sqlite3_vtab_in_first(list, v);
        if (rc != Sqlite.OK && rc != Sqlite.DONE) return false;
        while (rc == Sqlite.OK && v[0] != 0) {
            out.add(new Constraint(op, readValue(new Pointer(v[0]))));
            rc = Sqlite.sqlite3_vtab_in_next(list, v);
        }
        return true;
    }

    private static Object readValue(Pointer v) {
        switch (Sqlite.sqlite3_value_type(v)) {
            case Sqlite.INTEGER:
                return Sqlite.sqlite3_value_int64(v);
            case Sqlite.FLOAT:
                return Sqlite.sqlite3_value_double(v);
            case Sqlite.TEXT: {
                Pointer p = Sqlite.sqlite3_value_text(v);
                return Sqlite.utf8(p, Sqlite.sqlite3_value_bytes(v));
            }
            case Sqlite.BLOB: {
                Pointer p = Sqlite.sqlite3_value_blob(v);
                int len = Sqlite.sqlite3_value_bytes(v);
                return p == null ? new byte[0] : p.getByteArray(0, len);
            }
            default:
                return null;
        }
    }

    private static int xNext(Pointer cur) {
        Cursor c = cursor(cur);
        c.pos++;
        return Sqlite.OK;
    }

    private static int xEof(Pointer cur) {
        Cursor c = cursor(cur);
        return c.rows == null || c.pos >= c.rows.size() ? 1 : 0;
    }

    private static int xColumn(Pointer cur, Pointer ctx, int col) {
        try {
            Cursor c = cursor(cur);
            Object v = c.rows.get(c.pos)[col];
            if (v == null) {
                Sqlite.sqlite3_result_null(ctx);
            } else if (v instanceof String s) {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                Sqlite.sqlite3_result_text(ctx, b, b.length, Sqlite.TRANSIENT);
            } else if (v instanceof Long l) {
                Sqlite.sqlite3_result_int64(ctx, l);
            } else if (v instanceof Integer i) {
                Sqlite.sqlite3_result_int64(ctx, i);
            } else if (v instanceof Double d) {
                Sqlite.sqlite3_result_double(ctx, d);
            } else if (v instanceof byte[] b) {
                Sqlite.sqlite3_result_text(ctx, b, b.length, Sqlite.TRANSIENT);
            } else if (v instanceof Blob b) {
                Sqlite.sqlite3_result_blob(ctx, b.bytes(), b.bytes().length, Sqlite.TRANSIENT);
            } else if (v instanceof Boolean b) {
                Sqlite.sqlite3_result_int64(ctx, b ? 1 : 0);
            } else if (v instanceof Number n) {
                Sqlite.sqlite3_result_int64(ctx, n.longValue());
            } else {
                byte[] b = v.toString().getBytes(StandardCharsets.UTF_8);
                Sqlite.sqlite3_result_text(ctx, b, b.length, Sqlite.TRANSIENT);
            }
            return Sqlite.OK;
        } catch (Throwable e) {
            byte[] msg = describe(e).getBytes(StandardCharsets.UTF_8);
            Sqlite.sqlite3_result_error(ctx, msg, msg.length);
            return Sqlite.ERROR;
        }
    }

    private static int xRowid(Pointer cur, Pointer pRowid) {
        pRowid.setLong(0, cursor(cur).pos);
        return Sqlite.OK;
    }

    // ---- helpers ---------------------------------------------------------------------------

    private static void setError(Pointer vtab, String message) {
        Pointer old = vtab.getPointer(VTAB_ERRMSG);
        if (old != null) Sqlite.sqlite3_free(old);
        vtab.setPointer(VTAB_ERRMSG, Sqlite.mallocString(message));
    }

    private static String safeName(Pointer vtab) {
        try {
            return table(vtab).schema().name();
        } catch (Throwable e) {
            return "?";
        }
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) return e.getClass().getSimpleName();
        if (e instanceof java.nio.file.NoSuchFileException) return m + ": no such file";
        if (e instanceof java.nio.file.AccessDeniedException) return m + ": permission denied";
        return m;
    }

    /** A generator's checked exception, carried out of the cache's supplier. */
    private static final class GenerateFailed extends RuntimeException {
        GenerateFailed(Exception cause) {
            super(cause);
        }
    }

    private static final class Cursor {
        final Table table;
        final int width;
        List<Object[]> rows;
        int pos;

        /** A fresh row's cells before the generator sets any (see Column.unsetValue). */
        final Object[] unset;

        Cursor(Table table) {
            this.table = table;
            this.width = table.schema().columns().size();
            this.unset = new Object[width];
            for (int i = 0; i < width; i++) unset[i] = table.schema().column(i).unsetValue();
        }

        RowSink sink() {
            TableSchema schema = table.schema();
            return () -> {
                // Database.interrupt() interrupts the thread: a generator stops at its next row.
                if (Thread.currentThread().isInterrupted()) throw new IllegalStateException("interrupted");
                Object[] values = unset.clone();
                rows.add(values);
                return new RowSink.Row() {
                    @Override
                    public RowSink.Row set(String column, Object value) {
                        int i = schema.indexOf(column);
                        if (i < 0) throw new IllegalArgumentException("table " + schema.name() + " has no column " + column);
                        values[i] = value;
                        return this;
                    }
                };
            };
        }
    }

    // ---- callback signatures ---------------------------------------------------------------

    interface XConnect extends Callback {
        int invoke(Pointer db, Pointer aux, int argc, Pointer argv, Pointer ppVtab, Pointer pzErr);
    }

    interface XBestIndex extends Callback {
        int invoke(Pointer vtab, Pointer info);
    }

    interface XVtab extends Callback {
        int invoke(Pointer vtab);
    }

    interface XOpen extends Callback {
        int invoke(Pointer vtab, Pointer ppCursor);
    }

    interface XCursor extends Callback {
        int invoke(Pointer cursor);
    }

    interface XFilter extends Callback {
        int invoke(Pointer cursor, int idxNum, Pointer idxStr, int argc, Pointer argv);
    }

    interface XColumn extends Callback {
        int invoke(Pointer cursor, Pointer ctx, int col);
    }

    interface XRowid extends Callback {
        int invoke(Pointer cursor, Pointer pRowid);
    }
}
