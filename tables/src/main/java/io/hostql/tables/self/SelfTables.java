package io.hostql.tables.self;

import io.hostql.config.Settings;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableRegistry;
import java.util.List;

/** Tables describing hostql itself. They see the registry they are part of. */
public final class SelfTables {
    private SelfTables() {}

    public static List<Table> all(Settings settings, TableRegistry registry) {
        return List.of(
                new OsqueryInfoTable(),
                new OsqueryRegistryTable(registry),
                new OsqueryFlagsTable(settings));
    }
}
