package io.hostql.evented;

import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.HIDDEN;

import io.hostql.sql.Database;
import io.hostql.sql.table.Column;
import io.hostql.sql.table.ColumnType;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The evented tables' schemas, in osquery's column order. They are real SQLite tables, so a column
 * osquery hides (eid) is visible in SELECT * here: SQLite only hides columns of virtual tables. Subscribers
 * fill rows by column name through {@link Row}, checked against these declarations (see the package doc).
 */
public final class EventedTables {
    private EventedTables() {}

    public static final TableSchema FILE_EVENTS = TableSchema.builder("file_events",
                    "Track time/action changes to files specified in configuration data.")
            .text("target_path").text("category").text("action").bigint("transaction_id").bigint("inode")
            .bigint("uid").bigint("gid").text("mode").bigint("size").bigint("atime").bigint("mtime").bigint("ctime")
            .text("md5").text("sha1").text("sha256").integer("hashed").bigint("time", ADDITIONAL).text("eid", HIDDEN)
            .build();

    /**
     * osquery's columns, then hostql's: the device's sysfs path and subsystem, the kernel's SEQNUM, and
     * synthetic = 1 for an addition or removal reconstructed from /sys after uevents were lost.
     */
    public static final TableSchema HARDWARE_EVENTS = TableSchema.builder("hardware_events", "Hardware (PCI/USB/HID) events from UDEV or IOKit.")
            .text("action").text("path").text("type").text("driver").text("vendor").text("vendor_id").text("model").text("model_id")
            .text("serial").text("revision").bigint("time", ADDITIONAL).text("eid", HIDDEN)
            .text("devpath").text("subsystem").bigint("seqnum").integer("synthetic")
            .build();

    /** osquery's yara_events: a changed file of a category with signature groups, when their rules match it. */
    public static final TableSchema YARA_EVENTS = TableSchema.builder("yara_events", "Track YARA matches for files specified in configuration data.")
            .text("target_path").text("category").text("action").text("matches").integer("count").text("strings").text("tags")
            .bigint("time", ADDITIONAL).text("eid", HIDDEN).otherPlatform("darwin", ColumnType.BIGINT, "transaction_id")
            .build();

    /**
     * osquery's process_events (with its darwin-only {@code status}, OpenBSM's return status there: hidden, NULL
     * here, as osquery's Linux leaves it), then hostql's: the parent's path and command line (from the process
     * tree, so known after the parent exited), the cgroup and container id, the kernel's event time in
     * ms and the audit serial (to find the event in auditd's log).
     */
    public static final TableSchema PROCESS_EVENTS = TableSchema.builder("process_events", "Track time/action process executions.")
            .bigint("pid").text("path").text("mode").text("cmdline").bigint("cmdline_size", HIDDEN).text("env", HIDDEN)
            .bigint("env_count", HIDDEN).bigint("env_size", HIDDEN).text("cwd").bigint("auid").bigint("uid").bigint("euid")
            .bigint("gid").bigint("egid").bigint("owner_uid").bigint("owner_gid").bigint("atime").bigint("mtime").bigint("ctime")
            .bigint("btime").text("overflows", HIDDEN).bigint("parent").bigint("time", ADDITIONAL).bigint("uptime").text("eid", HIDDEN)
            .bigint("fsuid").bigint("suid").bigint("fsgid").bigint("sgid").text("syscall")
            .otherPlatform("darwin", ColumnType.BIGINT, "status")
            .text("parent_path").text("parent_cmdline").text("cgroup_path").text("container_id").bigint("event_time_ms")
            .bigint("audit_serial")
            .build();

    /**
     * osquery's process_file_events (audit FIM: who opened, wrote, renamed, linked or unlinked a file under
     * file_paths; ids are TEXT as osquery declares them), then hostql's: the kernel's event time in ms, the audit
     * serial and the syscall.
     */
    public static final TableSchema PROCESS_FILE_EVENTS = TableSchema.builder("process_file_events",
                    "A File Integrity Monitor implementation using the audit service.")
            .text("operation").bigint("pid").bigint("ppid").bigint("time", ADDITIONAL).text("executable").text("partial").text("cwd")
            .text("path").text("dest_path").text("uid").text("gid").text("auid").text("euid").text("egid").text("fsuid").text("fsgid")
            .text("suid").text("sgid").bigint("uptime").text("eid", HIDDEN)
            .bigint("event_time_ms").bigint("audit_serial").text("syscall")
            .build();

    /** osquery's socket_events, then hostql's: the acting uid, the kernel's event time in ms and the audit serial. */
    public static final TableSchema SOCKET_EVENTS = TableSchema.builder("socket_events", "Track network socket bind, connect, and accepts.")
            .text("action").bigint("pid").text("path").text("fd").bigint("auid").integer("family").integer("protocol", HIDDEN)
            .text("local_address").text("remote_address").integer("local_port").integer("remote_port").text("socket", HIDDEN)
            .bigint("time", ADDITIONAL).bigint("uptime").text("eid", HIDDEN).integer("success", HIDDEN).text("status")
            .bigint("uid").bigint("event_time_ms").bigint("audit_serial")
            .build();

    /** osquery's user_events, then hostql's: the kernel's event time in ms and the audit serial. */
    public static final TableSchema USER_EVENTS = TableSchema.builder("user_events", "Track user events from the audit framework.")
            .bigint("uid").bigint("auid").bigint("pid").text("message").integer("type").text("path").text("address").text("terminal")
            .bigint("time", ADDITIONAL).bigint("uptime").text("eid", HIDDEN)
            .bigint("event_time_ms").bigint("audit_serial")
            .build();

    /** osquery's syslog_events: the CSV fields rsyslog writes to the pipe ({@code OsqueryCsvFormat}); time is when hostqld read the line. */
    public static final TableSchema SYSLOG_EVENTS = TableSchema.builder("syslog_events", "Syslog messages rsyslog forwards through hostqld's pipe.")
            .bigint("time", ADDITIONAL).text("datetime").text("host").integer("severity").text("facility").text("tag").text("message")
            .text("eid", HIDDEN)
            .build();

    /**
     * osquery's seccomp_events (a seccomp filter's logged action, audit SECCOMP records), then the eid osquery's
     * framework adds and hostql's own: the kernel's event time in ms and the audit serial.
     */
    public static final TableSchema SECCOMP_EVENTS = TableSchema.builder("seccomp_events", "A virtual table that tracks seccomp events.")
            .bigint("time", ADDITIONAL).bigint("uptime").unsignedBigint("auid").unsignedBigint("uid").unsignedBigint("gid")
            .unsignedBigint("ses").unsignedBigint("pid").text("comm").text("exe").bigint("sig").text("arch").text("syscall").bigint("compat").text("ip").text("code")
            .text("eid", HIDDEN).bigint("event_time_ms").bigint("audit_serial")
            .build();

    /** osquery's selinux_events (SELinux AVC, SELINUX_ERR, MAC_* and USER_AVC records), then hostql's: the event time in ms and the serial. */
    public static final TableSchema SELINUX_EVENTS = TableSchema.builder("selinux_events", "Track SELinux events.")
            .text("type").text("message").bigint("time", ADDITIONAL).bigint("uptime").text("eid", HIDDEN)
            .bigint("event_time_ms").bigint("audit_serial")
            .build();

    /** osquery's apparmor_events (AVC records with an apparmor field), then hostql's: the event time in ms and the serial. */
    public static final TableSchema APPARMOR_EVENTS = TableSchema.builder("apparmor_events", "Track AppArmor events.")
            .text("type").text("message").bigint("time", ADDITIONAL).bigint("uptime").text("eid", HIDDEN).text("apparmor")
            .text("operation").unsignedBigint("parent").text("profile").text("name").unsignedBigint("pid").text("comm").text("denied_mask")
            .text("capname").unsignedBigint("fsuid").unsignedBigint("ouid").bigint("capability").text("requested_mask").text("info").text("error")
            .text("namespace").text("label").bigint("event_time_ms").bigint("audit_serial")
            .build();

    /**
     * hostql's own: every gap any event source reported (kernel overflow, audit lost, ENOBUFS, journal damage).
     * count is exact when estimate = 0; with estimate = 1 it is the source's best figure (a lower bound, or
     * what an index counted), and NULL when the source cannot tell at all.
     */
    public static final TableSchema EVENT_LOSSES = TableSchema.builder("hostql_event_losses",
                    "Events lost by a publisher or the journal, as reported by the kernel or found by hostql.")
            .bigint("time", ADDITIONAL).text("source").bigint("count").text("reason").bigint("capture_time_ns")
            .text("eid", HIDDEN).integer("estimate")
            .build();

    /**
     * hostql's own: the audit publisher's state, one row refreshed every few seconds while hostqld runs
     * (and left as it was last at stop). Counters are since that hostqld started.
     */
    public static final TableSchema AUDIT_STATUS = TableSchema.builder("hostql_audit_status",
                    "The audit publisher: its mode, the kernel's audit settings, and what it read, published and lost.")
            .bigint("time", ADDITIONAL).bigint("hostqld_pid").text("mode").bigint("owner_pid").integer("enabled").bigint("backlog_limit")
            .bigint("backlog_wait_time").bigint("backlog").bigint("kernel_lost_at_start").bigint("kernel_lost").bigint("records")
            .bigint("process_events").bigint("socket_events").bigint("user_events").bigint("incomplete").bigint("serial_gap_events")
            .bigint("enobufs").bigint("ignored_own").bigint("malformed").bigint("receive_buffer")
            .build();

    public static List<TableSchema> all() {
        return List.of(FILE_EVENTS, PROCESS_EVENTS, SOCKET_EVENTS, USER_EVENTS, HARDWARE_EVENTS, SYSLOG_EVENTS, EVENT_LOSSES, AUDIT_STATUS,
                SECCOMP_EVENTS, SELINUX_EVENTS, APPARMOR_EVENTS, YARA_EVENTS, PROCESS_FILE_EVENTS);
    }

    /**
     * osquery's other names of evented tables (its specs' {@code aliases}), alias to table. Wherever the tables
     * are exposed ({@link #attach}, {@link #attachEmpty}) each alias is a view of its table, as osquery makes them.
     */
    public static final Map<String, TableSchema> ALIASES = Map.of("syslog", SYSLOG_EVENTS);

    /**
     * Attaches a daemon's events.db read-only as {@code events}, with the aliases: how the shell and the daemon's
     * queries see the evented tables.
     */
    public static void attach(Database db, Path eventsDb) {
        db.attachReadOnly(eventsDb, "events");
        createAliases(db, all());
    }

    /**
     * Attaches an in-memory database as {@code events} holding the tables, empty, with their aliases: where no
     * daemon's events.db can be read, the evented tables still exist (a Fleet UNION or a pack must not fail), as
     * in osqueryi. (Here and not in EventStore, whose logger the shell must not start.)
     */
    public static void attachEmpty(Database db, List<TableSchema> tables) {
        db.executeTrusted("ATTACH DATABASE ':memory:' AS events");
        for (TableSchema t : tables) {
            db.executeTrusted(createTable(t, "events"));
            db.executeTrusted(createIndexes(t, "events"));
        }
        createAliases(db, tables);
    }

    /**
     * A TEMP view per alias, naming its table unqualified: it reads whichever table that name finds on this
     * connection, events.db's or the scheduler's windowed view of it, so an alias is windowed like its table.
     */
    private static void createAliases(Database db, List<TableSchema> tables) {
        for (Map.Entry<String, TableSchema> a : ALIASES.entrySet()) {
            if (!tables.contains(a.getValue())) continue;
            db.executeTrusted("CREATE TEMP VIEW IF NOT EXISTS \"" + a.getKey() + "\" AS SELECT * FROM \"" + a.getValue().name() + "\"");
        }
    }

    /** The table's DDL in a schema ("" for main): the same layout wherever the table is made. */
    public static String createTable(TableSchema t, String schema) {
        StringBuilder ddl = new StringBuilder("CREATE TABLE ").append(schema.isEmpty() ? "" : schema + ".").append('"').append(t.name()).append("\" (");
        for (int i = 0; i < t.columns().size(); i++) {
            Column c = t.columns().get(i);
            if (i > 0) ddl.append(", ");
            ddl.append('"').append(c.name()).append("\" ").append(c.type().sqlType());
        }
        return ddl.append(')').toString();
    }

    /**
     * The time index (time windows) and the eid index (the scheduler reads each event once by eid,
     * which only grows, unlike rowid, which restarts when retention empties a table).
     */
    public static String createIndexes(TableSchema t, String schema) {
        String p = schema.isEmpty() ? "" : schema + ".";
        StringBuilder sql = new StringBuilder();
        for (String column : new String[] {"time", "eid"}) {
            if (t.indexOf(column) < 0) continue; // a status table (hostql_audit_status) has neither
            sql.append("CREATE INDEX IF NOT EXISTS ").append(p).append('"').append(t.name()).append('_').append(column)
                    .append("\" ON \"").append(t.name()).append("\"(").append(column).append(");");
        }
        return sql.length() == 0 ? "SELECT 1" : sql.toString();
    }
}
