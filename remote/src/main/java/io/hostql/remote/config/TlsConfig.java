package io.hostql.remote.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hostql.config.Settings;
import io.hostql.config.SettingsException;
import io.hostql.config.flags.RemoteFlags;
import io.hostql.remote.transport.RemoteClient;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code --config_plugin=tls}: the config is what the manager's config endpoint answers (the reply,
 * without its node_invalid key, is osquery's config JSON). The last config hostqld accepted is kept in
 * {@code <database_path>/tls_config.json}, so a restart with the manager down runs it.
 */
public final class TlsConfig {
    public static final String PLUGIN = "tls";
    public static final String CACHE_FILE = "tls_config.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final RemoteClient client;
    private final String endpoint;
    private final long maxAttempts;
    private volatile boolean closed;

    public TlsConfig(RemoteClient client, Settings s) {
        this.client = client;
        this.endpoint = s.get(RemoteFlags.CONFIG_TLS_ENDPOINT).strip();
        this.maxAttempts = Math.max(1, s.get(RemoteFlags.CONFIG_TLS_MAX_ATTEMPTS));
        if (endpoint.isEmpty()) {
            throw new SettingsException("config_plugin is tls but config_tls_endpoint is empty: set it to the manager's config path"
                    + " (Fleet: /api/v1/osquery/config)");
        }
        client.status().configEndpoint(endpoint);
    }

    /** Whether the flags ask for the config over TLS ({@code filesystem} or {@code tls}; anything else is an error). */
    public static boolean wanted(Settings s) {
        String plugin = s.get(RemoteFlags.CONFIG_PLUGIN).strip();
        if (plugin.equals(PLUGIN)) return true;
        if (plugin.equals("filesystem")) return false;
        throw new SettingsException("config_plugin: unknown config plugin '" + plugin + "'; available: filesystem, tls");
    }

    /**
     * --config_refresh, or osquery's older name for it, --config_tls_refresh, when only that one is given (osquery
     * makes the old name an alias of the new).
     */
    public static long refreshSeconds(Settings s) {
        return !s.isSet("config_refresh") && s.isSet("config_tls_refresh") ? s.get(RemoteFlags.CONFIG_TLS_REFRESH) : s.get(RemoteFlags.CONFIG_REFRESH);
    }

    /** --config_enable_backup: the manager's last accepted config is kept on disk and run at a start with the manager down. */
    public static boolean backup(Settings s) {
        return s.get(RemoteFlags.CONFIG_ENABLE_BACKUP);
    }

    public static Path cacheFile(Path dataDir) {
        return dataDir.resolve(CACHE_FILE);
    }

    public String url() {
        return client.transport().url(endpoint);
    }

    /** The config text, after up to --config_tls_max_attempts tries with i² s between them. */
    public String fetch() throws IOException {
        IOException last = null;
        for (int i = 1; i <= maxAttempts && !closed; i++) {
            try {
                ObjectNode reply = client.post(endpoint, JsonNodeFactory.instance.objectNode());
                reply.remove("node_invalid");
                return text(reply);
            } catch (IOException e) {
                last = e;
                if (i < maxAttempts) sleep((long) i * i * 1000);
            }
        }
        throw last != null ? last : new IOException("closed");
    }

    static String text(ObjectNode config) throws JsonProcessingException {
        return JSON.writeValueAsString(config) + "\n";
    }

    private synchronized void sleep(long millis) {
        long end = System.currentTimeMillis() + millis;
        try {
            for (long left = millis; left > 0 && !closed; left = end - System.currentTimeMillis()) wait(left);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    public synchronized void close() {
        closed = true;
        notifyAll();
    }
}
