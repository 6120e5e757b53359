package io.hostql.tables.users;

import static io.hostql.sql.table.ColumnType.INTEGER;
import static io.hostql.sql.table.ColumnType.TEXT;
import static io.hostql.sql.table.ColumnOption.ADDITIONAL;
import static io.hostql.sql.table.ColumnOption.HIDDEN;
import static io.hostql.sql.table.ColumnOption.INDEX;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/** groups: local groups from /etc/group, one row per gid (the first entry wins, as getgrgid answers). */
public final class GroupsTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("groups", "Local system groups.")
            .bigint("gid", INDEX).bigint("gid_signed").text("groupname").integer("pid_with_namespace", ADDITIONAL, HIDDEN)
            .otherPlatform("windows", TEXT, "group_sid", "comment").otherPlatform("darwin", INTEGER, "is_hidden")
            .build();

    private final Path groupFile;

    public GroupsTable() {
        this(null);
    }

    /** groupFile: read instead of /etc/group (tests); null for the system file. */
    GroupsTable(Path groupFile) {
        this.groupFile = groupFile;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        Groups db = groupFile == null ? Groups.system() : Groups.read(groupFile);
        Set<Long> gids = ctx.equalsLong("gid");
        if (!gids.isEmpty()) {
            for (long gid : gids) {
                Groups.Group g = db.byGid(gid);
                if (g != null) emit(rows, g);
            }
            return;
        }
        Set<Long> seen = new HashSet<>();
        for (Groups.Group g : db.groups()) if (seen.add(g.gid())) emit(rows, g);
    }

    private static void emit(RowSink rows, Groups.Group g) {
        rows.add().set("gid", g.gid()).set("gid_signed", g.gidSigned()).set("groupname", g.name()).set("pid_with_namespace", 0);
    }
}
