package io.hostql.tables.process;

import io.hostql.sql.table.Table;
import java.util.List;

/** The process area's tables. Registering a table is one line here. */
public final class ProcessTables {
    private ProcessTables() {}

    public static List<Table> all() {
        return List.of(
                new ProcessesTable(),
                new ProcessOpenFilesTable(),
                new ProcessOpenSocketsTable(),
                new ProcessEnvsTable(),
                new ProcessMemoryMapTable(),
                new ListeningPortsTable(),
                new ProcessNamespacesTable(),
                new ProcessOpenPipesTable()
        );
    }
}
