package io.hostql.tables.cloud;

import static io.hostql.sql.table.ColumnOption.INDEX;

import com.fasterxml.jackson.databind.JsonNode;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Path;

/** azure_instance_metadata: the compute document of Azure's metadata service (see {@link AzureMetadata}); off Azure, no rows. */
public final class AzureInstanceMetadataTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("azure_instance_metadata", "Azure instance metadata.")
            .text("location").text("name").text("offer").text("publisher").text("sku").text("version").text("os_type")
            .text("platform_update_domain").text("platform_fault_domain").text("vm_id", INDEX).text("vm_size")
            .text("subscription_id").text("resource_group_name").text("placement_group_id").text("vm_scale_set_name").text("zone")
            .build();

    private static final String[][] KEYS = {{"vm_id", "vmId"}, {"location", "location"}, {"name", "name"}, {"offer", "offer"},
        {"publisher", "publisher"}, {"sku", "sku"}, {"version", "version"}, {"os_type", "osType"},
        {"platform_update_domain", "platformUpdateDomain"}, {"platform_fault_domain", "platformFaultDomain"}, {"vm_size", "vmSize"},
        {"subscription_id", "subscriptionId"}, {"resource_group_name", "resourceGroupName"},
        {"placement_group_id", "placementGroupId"}, {"vm_scale_set_name", "vmScaleSetName"}, {"zone", "zone"}};

    private final Path waagentLog;
    private final String endpoint;

    public AzureInstanceMetadataTable() {
        this(AzureMetadata.WAAGENT_LOG, AzureMetadata.ENDPOINT);
    }

    AzureInstanceMetadataTable(Path waagentLog, String endpoint) {
        this.waagentLog = waagentLog;
        this.endpoint = endpoint;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        JsonNode doc = AzureMetadata.fetch(waagentLog, endpoint);
        if (doc == null) return;
        RowSink.Row r = rows.add();
        for (String[] k : KEYS) r.set(k[0], AzureMetadata.key(doc, k[1]));
    }
}
