package io.hostql.tables.scheduling;

import io.hostql.sql.table.Table;
import java.util.List;

/** The scheduling area's tables. Registering a table is one line here. */
public final class SchedulingTables {
    private SchedulingTables() {}

    public static List<Table> all() {
        return List.of(
                new CrontabTable(),
                new SystemdUnitsTable(),
                new StartupItemsTable()
        );
    }
}
