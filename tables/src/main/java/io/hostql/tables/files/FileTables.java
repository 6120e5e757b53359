package io.hostql.tables.files;

import io.hostql.sql.table.Table;
import java.util.List;

/** The files area's tables. Registering a table is one line here. */
public final class FileTables {
    private FileTables() {}

    public static List<Table> all() {
        return List.of(
                new FileTable(),
                new HashTable(),
                new SuidBinTable(),
                new MagicTable(),
                new ExtendedAttributesTable()
        );
    }
}
