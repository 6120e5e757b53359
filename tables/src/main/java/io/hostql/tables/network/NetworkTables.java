package io.hostql.tables.network;

import io.hostql.sql.table.Table;
import java.util.List;

/** The network area's tables. Registering a table is one line here. */
public final class NetworkTables {
    private NetworkTables() {}

    public static List<Table> all() {
        return List.of(
                new EtcHostsTable(),
                new InterfaceAddressesTable(),
                new InterfaceDetailsTable(),
                new RoutesTable(),
                new ArpCacheTable(),
                new EtcServicesTable(),
                new EtcProtocolsTable(),
                new DnsResolversTable(),
                new IptablesTable(),
                new InterfaceIpv6Table());
    }
}
