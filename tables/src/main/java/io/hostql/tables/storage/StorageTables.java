package io.hostql.tables.storage;

import io.hostql.sql.table.Table;
import java.util.List;

/** The storage area's tables. Registering a table is one line here. */
public final class StorageTables {
    private StorageTables() {}

    public static List<Table> all() {
        return List.of(
                new MountsTable(),
                new BlockDevicesTable(),
                new DiskEncryptionTable()
        );
    }
}
