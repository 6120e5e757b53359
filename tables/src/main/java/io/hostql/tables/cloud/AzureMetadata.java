package io.hostql.tables.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Azure's instance metadata service as osquery asks it: only on a host with the Azure agent's log
 * (/var/log/waagent.log: osquery's test for being an Azure VM, which also keeps other hosts from
 * sending anything), a GET of the compute document with the "Metadata: true" header.
 */
final class AzureMetadata {
    static final Path WAAGENT_LOG = Path.of("/var/log/waagent.log");
    static final String ENDPOINT = "http://" + MetadataClient.LINK_LOCAL + "/metadata/instance/compute?api-version=2018-02-01";

    private AzureMetadata() {}

    /** The compute document, or null (not Azure, no answer, not 200, not JSON). */
    static JsonNode fetch(Path waagentLog, String endpoint) {
        if (!Files.exists(waagentLog)) return null;
        try {
            MetadataClient.Response r = MetadataClient.get(endpoint, Map.of("Metadata", "true"));
            if (!r.ok()) return null;
            JsonNode doc = MetadataClient.json(r.body());
            return doc != null && doc.isObject() ? doc : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** A key's value as text ("" when absent), as osquery's property-tree get. */
    static String key(JsonNode doc, String key) {
        JsonNode v = doc.get(key);
        return v == null || v.isNull() || v.isContainerNode() ? "" : v.asText();
    }
}
