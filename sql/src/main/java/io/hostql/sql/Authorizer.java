package io.hostql.sql;

import com.sun.jna.Callback;
import com.sun.jna.Pointer;
import io.hostql.sql.sqlite.Sqlite;
import java.util.Locale;
import java.util.Set;

/**
 * Makes user SQL read-only: only reads, SELECT, functions (not load_extension), recursive CTEs,
 * transactions and a list of read-only pragmas are allowed. SQLite calls this while preparing, so a
 * refused statement never runs. The reason is kept, so the user sees it instead of "not authorized".
 */
final class Authorizer implements Callback {
    // Action codes from sqlite3.h.
    private static final int CREATE_INDEX = 1, CREATE_TABLE = 2, CREATE_TEMP_INDEX = 3, CREATE_TEMP_TABLE = 4,
            CREATE_TEMP_TRIGGER = 5, CREATE_TEMP_VIEW = 6, CREATE_TRIGGER = 7, CREATE_VIEW = 8, DELETE = 9,
            DROP_INDEX = 10, DROP_TABLE = 11, DROP_TEMP_INDEX = 12, DROP_TEMP_TABLE = 13, DROP_TEMP_TRIGGER = 14,
            DROP_TEMP_VIEW = 15, DROP_TRIGGER = 16, DROP_VIEW = 17, INSERT = 18, PRAGMA = 19, READ = 20, SELECT = 21,
            TRANSACTION = 22, UPDATE = 23, ATTACH = 24, DETACH = 25, ALTER_TABLE = 26, REINDEX = 27, ANALYZE = 28,
            CREATE_VTABLE = 29, DROP_VTABLE = 30, FUNCTION = 31, SAVEPOINT = 32, RECURSIVE = 33;

    private static final Set<String> READ_ONLY_PRAGMAS = Set.of("table_info", "table_xinfo", "table_list",
            "index_list", "index_info", "index_xinfo", "foreign_key_list", "function_list", "module_list",
            "pragma_list", "collation_list", "database_list", "compile_options");

    private static final Set<String> SCHEMA_TABLES = Set.of("sqlite_master", "sqlite_schema", "sqlite_temp_master",
            "sqlite_temp_schema");

    private static final Set<String> DENIED_FUNCTIONS = Set.of("load_extension", "writefile", "readfile", "edit",
            "fts3_tokenizer");

    private static final String SCHEMA_CHANGE =
            "changing the schema (CREATE, DROP, ALTER) is not allowed: hostql's SQL is read-only";

    /** True while hostql runs its own trusted SQL on this connection. */
    boolean trusted;
    /** Why the last statement was refused, or null. */
    String denial;

    void reset() {
        denial = null;
    }

    public int invoke(Pointer arg, int action, Pointer s1, Pointer s2, Pointer s3, Pointer s4) {
        try {
            if (trusted || io.hostql.sql.vtab.VirtualTables.declaring()) return Sqlite.OK;
            String a = s1 == null ? null : s1.getString(0, "UTF-8");
            String b = s2 == null ? null : s2.getString(0, "UTF-8");
            String reason = check(action, a, b);
            if (reason == null) return Sqlite.OK;
            // SQLite reports CREATE/DROP as a write to sqlite_master first, and stops at the first denial.
            boolean schemaWrite = a != null && a.startsWith("sqlite_") && (action == INSERT || action == UPDATE || action == DELETE);
            if (denial == null) denial = schemaWrite ? SCHEMA_CHANGE : reason;
            return Sqlite.DENY;
        } catch (Throwable e) {
            denial = "authorizer failed: " + e;
            return Sqlite.DENY;
        }
    }

    private static String check(int action, String a, String b) {
        switch (action) {
            case READ, SELECT, RECURSIVE, TRANSACTION, SAVEPOINT:
                return null;
            case FUNCTION:
                return b != null && DENIED_FUNCTIONS.contains(b.toLowerCase(Locale.ROOT))
                        ? b + "() is not allowed: hostql does not load extensions or touch files from SQL" : null;
            case PRAGMA:
                return a != null && READ_ONLY_PRAGMAS.contains(a.toLowerCase(Locale.ROOT))
                        ? null : "PRAGMA " + a + " is not allowed: hostql's SQL is read-only";
            case ATTACH:
                return "ATTACH is not allowed: hostql's SQL is read-only and cannot open other databases";
            case DETACH:
                return "DETACH is not allowed: hostql's SQL is read-only";
            case INSERT:
                return "INSERT into " + a + " is not allowed: hostql's SQL is read-only";
            case UPDATE:
                // sqlite3_declare_vtab of SQLite's own table-valued pragmas (pragma_table_info, ...) parses a
                // nested "UPDATE sqlite_master" that never runs. A user's UPDATE of the schema table is
                // refused by SQLite itself (the table is read-only) and by the read-only statement check.
                if (a != null && SCHEMA_TABLES.contains(a.toLowerCase(Locale.ROOT))) return null;
                return "UPDATE of " + a + " is not allowed: hostql's SQL is read-only";
            case DELETE:
                return "DELETE from " + a + " is not allowed: hostql's SQL is read-only";
            case CREATE_INDEX, CREATE_TABLE, CREATE_TEMP_INDEX, CREATE_TEMP_TABLE, CREATE_TEMP_TRIGGER,
                    CREATE_TEMP_VIEW, CREATE_TRIGGER, CREATE_VIEW, CREATE_VTABLE:
            case DROP_INDEX, DROP_TABLE, DROP_TEMP_INDEX, DROP_TEMP_TABLE, DROP_TEMP_TRIGGER, DROP_TEMP_VIEW,
                    DROP_TRIGGER, DROP_VIEW, DROP_VTABLE:
            case ALTER_TABLE, REINDEX, ANALYZE:
                return SCHEMA_CHANGE;
            default:
                return "statement not allowed: hostql's SQL is read-only (authorizer action " + action + ")";
        }
    }
}
