package io.hostql.tables.users;

import io.hostql.sql.table.Table;
import java.util.List;

/** The users area's tables. Registering a table is one line here. */
public final class UserTables {
    private UserTables() {}

    public static List<Table> all() {
        return List.of(
                new UsersTable(),
                new GroupsTable(),
                new UserGroupsTable(),
                new LoggedInUsersTable(),
                new LastTable(),
                new ShadowTable(),
                new SudoersTable(),
                new AuthorizedKeysTable(),
                new UserSshKeysTable(),
                new KnownHostsTable(),
                new SshConfigsTable(),
                new ShellHistoryTable()
        );
    }
}
