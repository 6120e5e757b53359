package io.hostql.tables.packages;

import io.hostql.sql.table.Table;
import java.util.List;

/** The packages area's tables. Registering a table is one line here. */
public final class PackageTables {
    private PackageTables() {}

    public static List<Table> all() {
        return List.of(
                new DebPackagesTable(),
                new RpmPackagesTable(),
                new AptSourcesTable(),
                new PythonPackagesTable(),
                new NpmPackagesTable(),
                new PortagePackagesTable(),
                new PortageKeywordsTable(),
                new PortageUseTable(),
                new YumSourcesTable(),
                new DebPackageFilesTable(),
                new RpmPackageFilesTable()
        );
    }
}
