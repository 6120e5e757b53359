package io.hostql.tables.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Path;

/** azure_instance_tags: the compute document's "tags" ("k1:v1;k2:v2", split at the first colon), as osquery; off Azure, no rows. */
public final class AzureInstanceTagsTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("azure_instance_tags", "Azure instance tags.")
            .text("vm_id").text("key").text("value")
            .build();

    private final Path waagentLog;
    private final String endpoint;

    public AzureInstanceTagsTable() {
        this(AzureMetadata.WAAGENT_LOG, AzureMetadata.ENDPOINT);
    }

    AzureInstanceTagsTable(Path waagentLog, String endpoint) {
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
        String vmId = AzureMetadata.key(doc, "vmId");
        for (String tag : AzureMetadata.key(doc, "tags").split(";")) {
            int colon = tag.indexOf(':');
            if (colon < 0) continue;
            rows.add().set("vm_id", vmId).set("key", tag.substring(0, colon)).set("value", tag.substring(colon + 1));
        }
    }
}
