package io.hostql.tables.users;

import static io.hostql.sql.table.ColumnOption.INDEX;
import static io.hostql.sql.table.ColumnOption.OPTIMIZED;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * user_groups: each user's groups as getgrouplist(3) gives them (primary group, then every group
 * listing the user as a member), once per uid, from /etc/passwd and /etc/group.
 */
public final class UserGroupsTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("user_groups", "Local system user group relationships.")
            .bigint("uid", INDEX, OPTIMIZED).bigint("gid", INDEX)
            .build();

    private final Path passwdFile;
    private final Path groupFile;

    public UserGroupsTable() {
        this(null, null);
    }

    /** Files read instead of /etc/passwd and /etc/group (tests); null for the system files. */
    UserGroupsTable(Path passwdFile, Path groupFile) {
        this.passwdFile = passwdFile;
        this.groupFile = groupFile;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        Passwd users = passwdFile == null ? Passwd.system() : Passwd.read(passwdFile);
        Groups groups = groupFile == null ? Groups.system() : Groups.read(groupFile);
        Set<Long> uids = ctx.equalsLong("uid");
        if (!uids.isEmpty()) {
            for (long uid : uids) {
                Passwd.User u = users.byUid(uid);
                if (u != null) emit(rows, u, groups);
            }
            return;
        }
        Set<Long> seen = new HashSet<>();
        for (Passwd.User u : users.users()) if (seen.add(u.uid())) emit(rows, u, groups);
    }

    private static void emit(RowSink rows, Passwd.User u, Groups groups) {
        for (long gid : groups.groupsOf(u.name(), u.gid())) rows.add().set("uid", u.uid()).set("gid", gid);
    }
}
