package io.hostql.tables.hardware;

import io.hostql.sql.table.Table;
import java.util.List;

/** The hardware area's tables. Registering a table is one line here. */
public final class HardwareTables {
    private HardwareTables() {}

    public static List<Table> all() {
        return List.of(
                new UsbDevicesTable(),
                new PciDevicesTable(),
                new AcpiTablesTable(),
                new CpuidTable(),
                new SmbiosTablesTable()
        );
    }
}
