package io.hostql.tables.self;

import io.hostql.config.Settings;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableRegistry;
import java.util.List;

/** Tables describing hostql itself. They see the registry they are part of, and the daemon's state (empty in the shell). */
public final class SelfTables {
    private SelfTables() {}

    public static List<Table> all(Settings settings, TableRegistry registry, DaemonState daemon) {
        List<Table> all = new java.util.ArrayList<>(List.of(
                new OsqueryInfoTable(),
                new OsqueryRegistryTable(registry),
                new OsqueryFlagsTable(settings)));
        all.addAll(DaemonStateTables.all(daemon));
        return all;
    }
}
