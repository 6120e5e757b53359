package io.hostql.tables.cloud;

import io.hostql.sql.table.Table;
import java.util.List;

/** Cloud instance metadata (EC2, Azure, Yandex Cloud), from the metadata service on the instance's link. Registering a table is one line here. */
public final class CloudTables {
    private CloudTables() {}

    public static List<Table> all() {
        return List.of(
                new Ec2InstanceMetadataTable(),
                new Ec2InstanceTagsTable(),
                new AzureInstanceMetadataTable(),
                new AzureInstanceTagsTable(),
                new YcloudInstanceMetadataTable()
        );
    }
}
