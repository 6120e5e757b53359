package io.hostql.tables.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;

/**
 * ec2_instance_tags: the instance's tags. osquery asks EC2's DescribeTags API with AWS credentials;
 * hostql reads them from the metadata service instead (meta-data/tags/instance, present when the
 * instance allows tags in its metadata), so no credentials are needed and nothing leaves the instance's
 * link. Off EC2, or with tags not exposed in the metadata: no rows.
 */
public final class Ec2InstanceTagsTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("ec2_instance_tags", "EC2 instance tag key value pairs.")
            .text("instance_id").text("key").text("value")
            .build();

    private final boolean imdsV1Fallback;

    public Ec2InstanceTagsTable(boolean imdsV1Fallback) {
        this.imdsV1Fallback = imdsV1Fallback;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        Ec2Metadata imds = Ec2Metadata.connect(Ec2InstanceMetadataTable.DEFAULT_BASE, imdsV1Fallback);
        if (imds == null) return;
        String keys = imds.get("meta-data/tags/instance");
        if (keys == null) return;
        JsonNode identity = imds.json("dynamic/instance-identity/document");
        String instanceId = identity == null ? "" : identity.path("instanceId").asText("");
        for (String key : keys.split("\n")) {
            if (key.isBlank()) continue;
            String value = imds.get("meta-data/tags/instance/" + java.net.URLEncoder.encode(key.strip(), java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"));
            if (value == null) continue;
            rows.add().set("instance_id", instanceId).set("key", key.strip()).set("value", value);
        }
    }
}
