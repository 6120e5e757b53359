package io.hostql.tables.security;

import io.hostql.config.Settings;
import io.hostql.config.flags.TableFlags;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableAlias;
import java.util.List;

/** The security area's tables: certificates, kernel keys, configuration parsed by augeas, EDR sensors. One line each. */
public final class SecurityTables {
    private SecurityTables() {}

    public static List<Table> all(Settings settings) {
        AugeasTable augeas = new AugeasTable(settings.get(TableFlags.AUGEAS_LENSES));
        CarbonBlackInfoTable carbonBlack = new CarbonBlackInfoTable();
        return List.of(
                new CertificatesTable(),
                new KernelKeysTable(),
                augeas,
                new TableAlias("configurations", augeas),
                carbonBlack,
                new TableAlias("cb_info", carbonBlack)
        );
    }
}
