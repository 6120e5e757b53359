package io.hostql.tables.users;

import static io.hostql.sql.table.ColumnType.TEXT;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Path;

/** logged_in_users: the records of /var/run/utmp, except init's own (pid 1), as osquery lists them. */
public final class LoggedInUsersTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("logged_in_users", "Users with an active shell on the system.")
            .text("type").text("user").text("tty").text("host").bigint("time").integer("pid")
            .otherPlatform("windows", TEXT, "sid", "registry_hive")
            .build();

    private final Path file;

    public LoggedInUsersTable() {
        this(Utmp.UTMP);
    }

    LoggedInUsersTable(Path file) {
        this.file = file;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        for (Utmp.Record r : Utmp.read(file)) {
            if (r.pid() == 1) continue;
            rows.add().set("type", typeName(r.type())).set("user", r.user()).set("tty", r.line()).set("host", r.host())
                    .set("time", r.timeSec()).set("pid", r.pid());
        }
    }

    static String typeName(int type) {
        return switch (type) {
            case Utmp.EMPTY -> "empty";
            case Utmp.RUN_LVL -> "runlevel";
            case Utmp.BOOT_TIME -> "boot_time";
            case Utmp.NEW_TIME -> "new_time";
            case Utmp.OLD_TIME -> "old_time";
            case Utmp.INIT_PROCESS -> "init";
            case Utmp.LOGIN_PROCESS -> "login";
            case Utmp.USER_PROCESS -> "user";
            case Utmp.DEAD_PROCESS -> "dead";
            case Utmp.ACCOUNTING -> "accounting";
            default -> "unknown";
        };
    }
}
