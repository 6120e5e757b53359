package io.hostql.tables.system;

import io.hostql.sql.table.Table;
import java.util.List;

/** The system area's tables. Registering a table is one line here. */
public final class SystemTables {
    private SystemTables() {}

    public static List<Table> all() {
        return List.of(
                new SystemInfoTable(),
                new OsVersionTable(),
                new KernelInfoTable(),
                new KernelModulesTable(),
                new UptimeTable(),
                new TimeTable(),
                new LoadAverageTable(),
                new MemoryInfoTable(),
                new CpuInfoTable(),
                new SystemControlsTable(),
                new UlimitInfoTable(),
                new PlatformInfoTable(),
                new SharedMemoryTable(),
                new CpuTimeTable(),
                new MemoryMapTable()
        );
    }
}
