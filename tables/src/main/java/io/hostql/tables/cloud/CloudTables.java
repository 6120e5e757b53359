package io.hostql.tables.cloud;

import io.hostql.config.Settings;
import io.hostql.config.flags.TableFlags;
import io.hostql.sql.table.Table;
import java.util.List;

/** Cloud instance metadata (EC2, Azure, Yandex Cloud), from the metadata service on the instance's link. Registering a table is one line here. */
public final class CloudTables {
    private CloudTables() {}

    public static List<Table> all(Settings settings) {
        boolean imdsV1Fallback = !settings.get(TableFlags.AWS_DISABLE_IMDSV1_FALLBACK);
        return List.of(
                new Ec2InstanceMetadataTable(imdsV1Fallback),
                new Ec2InstanceTagsTable(imdsV1Fallback),
                new AzureInstanceMetadataTable(),
                new AzureInstanceTagsTable(),
                new YcloudInstanceMetadataTable()
        );
    }
}
