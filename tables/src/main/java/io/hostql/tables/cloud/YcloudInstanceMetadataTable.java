package io.hostql.tables.cloud;

import static io.hostql.sql.table.ColumnOption.INDEX;

import com.fasterxml.jackson.databind.JsonNode;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * ycloud_instance_metadata: Yandex Cloud's GCE-style metadata service, as osquery: a GET of
 * {endpoint}/computeMetadata/v1/instance/?alt=json&recursive=true with "Metadata-Flavor: Google",
 * at http://169.254.169.254 unless the query names metadata_endpoint(s). The zone is the last part
 * of "projects/…/zones/ZONE"; folder and cloud ids come from "vendor", the ssh keys and serial-port
 * flag from "attributes". An endpoint that does not answer gives no row.
 */
public final class YcloudInstanceMetadataTable implements Table {
    static final String DEFAULT_ENDPOINT = "http://" + MetadataClient.LINK_LOCAL;
    static final String PATH = "/computeMetadata/v1/instance/?alt=json&recursive=true";

    private static final TableSchema SCHEMA = TableSchema.builder("ycloud_instance_metadata", "Yandex.Cloud instance metadata.")
            .text("instance_id", INDEX).text("folder_id").text("cloud_id").text("name").text("description").text("hostname")
            .text("zone").text("ssh_public_key").text("serial_port_enabled").text("metadata_endpoint", INDEX)
            .build();

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        List<String> endpoints = new ArrayList<>(ctx.equalsText("metadata_endpoint"));
        if (endpoints.isEmpty()) endpoints.add(DEFAULT_ENDPOINT);
        for (String endpoint : endpoints) {
            JsonNode doc;
            try {
                MetadataClient.Response r = MetadataClient.get(endpoint + PATH, Map.of("Metadata-Flavor", "Google"));
                if (!r.ok()) continue;
                doc = MetadataClient.json(r.body());
            } catch (IOException | IllegalArgumentException e) {
                continue; // no answer, or not a URL: no row for it, as osquery
            }
            if (doc == null || !doc.isObject()) continue;
            rows.add().set("instance_id", string(doc, "id")).set("folder_id", string(doc.path("vendor"), "folderId"))
                    .set("cloud_id", string(doc.path("vendor"), "cloudId")).set("zone", zoneId(string(doc, "zone")))
                    .set("name", string(doc, "name")).set("description", string(doc, "description"))
                    .set("hostname", string(doc, "hostname")).set("ssh_public_key", string(doc.path("attributes"), "ssh-keys"))
                    .set("serial_port_enabled", string(doc.path("attributes"), "serial-port-enable"))
                    .set("metadata_endpoint", endpoint);
        }
    }

    /** A string member, or "" (absent, or not a string), as osquery's getters. */
    private static String string(JsonNode obj, String key) {
        JsonNode v = obj == null ? null : obj.get(key);
        return v != null && v.isTextual() ? v.asText() : "";
    }

    static String zoneId(String zone) {
        if (!zone.startsWith("projects/")) return "";
        String[] s = zone.split("/");
        return s.length >= 4 ? s[3] : "";
    }
}
