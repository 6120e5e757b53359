package io.hostql.tables.packages;

import io.hostql.sql.table.Table;
import java.nio.file.Path;
import java.util.List;

/** The packages area's tables over a test tree, for tests of other packages that query them with SQL. */
public final class PackageTablesForTests {
    private PackageTablesForTests() {}

    /** portage_packages, portage_keywords and portage_use reading the tree under root. */
    public static List<Table> portage(Path root) {
        return List.of(new PortagePackagesTable(root), new PortageKeywordsTable(root), new PortageUseTable(root));
    }
}
