package io.hostql.tables.addons;

import io.hostql.sql.table.Table;
import java.util.List;

/** Browser and editor add-ons of every user. Registering a table is one line here. */
public final class AddonTables {
    private AddonTables() {}

    public static List<Table> all() {
        return List.of(
                new ChromeExtensionsTable(),
                new ChromeExtensionContentScriptsTable(),
                new FirefoxAddonsTable(),
                new VscodeExtensionsTable(),
                new JetbrainsPluginsTable()
        );
    }
}
