package io.hostql.tables.users;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Path;

/** last: login (user-process) and logout (dead-process) records of /var/log/wtmp. */
public final class LastTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("last", "System logins and logouts.")
            .text("username").text("tty").integer("pid").integer("type").text("type_name").integer("time").text("host")
            .build();

    private final Path file;

    public LastTable() {
        this(Utmp.WTMP);
    }

    LastTable(Path file) {
        this.file = file;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        for (Utmp.Record r : Utmp.read(file)) {
            if (r.type() != Utmp.USER_PROCESS && r.type() != Utmp.DEAD_PROCESS) continue;
            rows.add().set("username", r.user()).set("tty", r.line()).set("pid", r.pid()).set("type", r.type())
                    .set("type_name", r.type() == Utmp.USER_PROCESS ? "user-process" : "dead-process")
                    .set("time", r.timeSec()).set("host", r.host());
        }
    }
}
