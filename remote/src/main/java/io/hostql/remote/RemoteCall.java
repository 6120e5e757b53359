package io.hostql.remote;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * One request to the manager, as every endpoint after enrollment makes it: POST a JSON object to a
 * path ({@code --distributed_tls_read_endpoint}, {@code --carver_start_endpoint}, …) and get the
 * reply's JSON object. The implementation adds {@code node_key}, re-enrolls once on
 * {@code node_invalid}, and records the outcome for {@code hostql_remote_status}; callers only see the
 * body they sent and the body they got, or an IOException that names the endpoint and the reason.
 */
public interface RemoteCall {
    ObjectNode post(String path, ObjectNode body) throws IOException;
}
