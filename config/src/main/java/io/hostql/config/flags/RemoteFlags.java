package io.hostql.config.flags;

import static io.hostql.config.flags.Reload.AT_RESTART;

/** The TLS remote API: enrollment, config, distributed queries, carving. */
public final class RemoteFlags {
    public static final SettingGroup GROUP = new SettingGroup("remote", "The TLS remote API: enrollment, config, distributed queries, carving");

    public static final Setting<Boolean> DISABLE_DISTRIBUTED = GROUP.bool("disable_distributed", true, AT_RESTART,
            "Disable distributed (live) queries from the manager (the TLS remote API)");
    public static final Setting<String> DISTRIBUTED_PLUGIN = GROUP.string("distributed_plugin", "tls", AT_RESTART,
            "Distributed query plugin: tls");
    public static final Setting<String> DISTRIBUTED_TLS_READ_ENDPOINT = GROUP.string("distributed_tls_read_endpoint", "", AT_RESTART,
            "Path of the manager's distributed read endpoint, e.g. /api/v1/osquery/distributed/read");
    public static final Setting<String> DISTRIBUTED_TLS_WRITE_ENDPOINT = GROUP.string("distributed_tls_write_endpoint", "", AT_RESTART,
            "Path of the manager's distributed write endpoint, e.g. /api/v1/osquery/distributed/write");
    public static final Setting<Long> DISTRIBUTED_INTERVAL = GROUP.int64("distributed_interval", 60, 0, Long.MAX_VALUE, AT_RESTART,
            "Seconds between distributed query check-ins (every 5 s while the manager asks to accelerate)");
    public static final Setting<Long> DISTRIBUTED_TLS_MAX_ATTEMPTS = GROUP.int64("distributed_tls_max_attempts", 3, 0, Long.MAX_VALUE, AT_RESTART,
            "Attempts of each distributed read and write request, i*i seconds apart");
    public static final Setting<Long> DISTRIBUTED_DENYLIST_DURATION = GROUP.int64("distributed_denylist_duration", 86400, 0, Long.MAX_VALUE, AT_RESTART,
            "Seconds a distributed query that was running when hostqld died stays denylisted");
    public static final Setting<Long> DISTRIBUTED_WRITE_MAX_BYTES = GROUP.int64("distributed_write_max_bytes", 10485760, 0, Long.MAX_VALUE, AT_RESTART,
            "Most bytes of one distributed write; a larger result is sent in several writes, each carrying some of the query's rows (hostql)");
    public static final Setting<Boolean> DISTRIBUTED_LOGINFO = GROUP.bool("distributed_loginfo", false, AT_RESTART,
            "Log each distributed query run (id and SQL) as a status line (info) rather than a debug line");
    public static final Setting<Boolean> DISABLE_CARVER = GROUP.bool("disable_carver", true, AT_RESTART,
            "Disable file carving (SELECT * FROM carves WHERE path LIKE ... AND carve = 1)");
    public static final Setting<String> CARVER_START_ENDPOINT = GROUP.string("carver_start_endpoint", "", AT_RESTART,
            "Path of the manager's carve start endpoint, e.g. /api/v1/osquery/carve/begin");
    public static final Setting<String> CARVER_CONTINUE_ENDPOINT = GROUP.string("carver_continue_endpoint", "", AT_RESTART,
            "Path of the manager's carve block endpoint, e.g. /api/v1/osquery/carve/block");
    public static final Setting<Long> CARVER_BLOCK_SIZE = GROUP.int64("carver_block_size", 8192, 0, Long.MAX_VALUE, AT_RESTART,
            "Bytes of each uploaded carve block");
    public static final Setting<Boolean> CARVER_COMPRESSION = GROUP.bool("carver_compression", false, AT_RESTART,
            "Compress carves with zstd before uploading");
    public static final Setting<Long> CARVER_EXPIRY = GROUP.int64("carver_expiry", 86400, 0, Long.MAX_VALUE, AT_RESTART,
            "Seconds a carve stays listed in the carves table");
    public static final Setting<String> TLS_HOSTNAME = GROUP.string("tls_hostname", "", AT_RESTART,
            "Manager's host or host:port, without a scheme, for every TLS plugin");
    public static final Setting<String> TLS_SERVER_CERTS = GROUP.string("tls_server_certs", "", AT_RESTART,
            "PEM bundle of the CAs the manager's (and the kafka_producer's ssl:// brokers') certificate is verified against (empty: the system trust store; osquery's default path is /opt/osquery/share/osquery/certs/certs.pem)");
    public static final Setting<String> TLS_CLIENT_CERT = GROUP.string("tls_client_cert", "", AT_RESTART,
            "PEM client certificate presented to the manager and to ssl:// Kafka brokers (mutual TLS), with tls_client_key");
    public static final Setting<String> TLS_CLIENT_KEY = GROUP.string("tls_client_key", "", AT_RESTART,
            "Unencrypted PEM private key of tls_client_cert (PKCS#8, or PKCS#1 RSA)");
    public static final Setting<Boolean> TLS_SESSION_REUSE = GROUP.bool("tls_session_reuse", true, AT_RESTART,
            "Keep a connection to the manager per thread for its next request, as osquery (a new one resumes the last TLS session); false: a new connection and a full handshake every request");
    public static final Setting<Long> TLS_SESSION_TIMEOUT = GROUP.int64("tls_session_timeout", 3600, 0, Long.MAX_VALUE, AT_RESTART,
            "Seconds a kept connection to the manager, and a TLS session to resume, are used before a new one is made");
    public static final Setting<Boolean> TLS_ACCEPT_GZIP = GROUP.bool("tls_accept_gzip", false, AT_RESTART,
            "Ask the manager for gzip'd replies");
    public static final Setting<Long> TLS_CONNECT_TIMEOUT = GROUP.int64("tls_connect_timeout", 10, 0, Long.MAX_VALUE, AT_RESTART,
            "Seconds to connect to the manager before a request fails (hostql)");
    public static final Setting<Long> TLS_REQUEST_TIMEOUT = GROUP.int64("tls_request_timeout", 60, 0, Long.MAX_VALUE, AT_RESTART,
            "Seconds a request to the manager may take, reply included, before it fails (hostql)");
    public static final Setting<Long> TLS_MAX_REPLY_BYTES = GROUP.int64("tls_max_reply_bytes", 8388608, 0, Long.MAX_VALUE, AT_RESTART,
            "Largest reply taken from the manager, in bytes; a larger one is refused (hostql)");
    public static final Setting<String> PROXY_HOSTNAME = GROUP.string("proxy_hostname", "", AT_RESTART,
            "HTTP proxy (host:port) for the requests to the manager");
    public static final Setting<String> ENROLL_TLS_ENDPOINT = GROUP.string("enroll_tls_endpoint", "", AT_RESTART,
            "Path of the manager's enroll endpoint (Fleet: /api/v1/osquery/enroll)");
    public static final Setting<String> ENROLL_SECRET_PATH = GROUP.string("enroll_secret_path", "", AT_RESTART,
            "File holding the enroll secret (a trailing newline is trimmed)");
    public static final Setting<String> ENROLL_SECRET_ENV = GROUP.string("enroll_secret_env", "", AT_RESTART,
            "Environment variable holding the enroll secret, when enroll_secret_path is empty");
    public static final Setting<Long> TLS_ENROLL_MAX_ATTEMPTS = GROUP.int64("tls_enroll_max_attempts", 12, 0, Long.MAX_VALUE, AT_RESTART,
            "Enrollment attempts before giving up (0: forever)");
    public static final Setting<Long> TLS_ENROLL_MAX_INTERVAL = GROUP.int64("tls_enroll_max_interval", 600, 0, Long.MAX_VALUE, AT_RESTART,
            "Longest pause between two enrollment attempts, in seconds (the pause is attempts squared)");
    public static final Setting<String> TLS_ENROLL_OVERRIDE = GROUP.string("tls_enroll_override", "enroll_secret", AT_RESTART,
            "JSON key of the enroll secret in the enroll request");
    public static final Setting<Boolean> TLS_SECRET_ALWAYS = GROUP.bool("tls_secret_always", false, AT_RESTART,
            "Send the enroll secret with every request to the manager, as the URL parameter tls_enroll_override names (osquery's hidden flag; never in a log line)");
    public static final Setting<Boolean> ENROLL_ALWAYS = GROUP.bool("enroll_always", false, AT_RESTART,
            "Forget the node key at start and enroll again");
    public static final Setting<Boolean> DISABLE_ENROLLMENT = GROUP.bool("disable_enrollment", false, AT_RESTART,
            "Never enroll (the node key is provisioned in <database_path>/node_key)");
    public static final Setting<Boolean> DISABLE_REENROLLMENT = GROUP.bool("disable_reenrollment", false, AT_RESTART,
            "Keep the node key when the manager answers node_invalid");
    public static final Setting<String> CONFIG_PLUGIN = GROUP.string("config_plugin", "filesystem", AT_RESTART,
            "Where the config comes from: filesystem (config_path) or tls (the manager's config endpoint)");
    public static final Setting<String> CONFIG_TLS_ENDPOINT = GROUP.string("config_tls_endpoint", "", AT_RESTART,
            "Path of the manager's config endpoint (Fleet: /api/v1/osquery/config)");
    public static final Setting<Long> CONFIG_REFRESH = GROUP.int64("config_refresh", 0, 0, Long.MAX_VALUE, AT_RESTART,
            "Seconds between two config fetches (0: once, at start)");
    public static final Setting<Long> CONFIG_TLS_REFRESH = GROUP.int64("config_tls_refresh", 0, 0, Long.MAX_VALUE, AT_RESTART,
            "osquery's older name of config_refresh, used when config_refresh is not given");
    public static final Setting<Boolean> CONFIG_ENABLE_BACKUP = GROUP.bool("config_enable_backup", true, AT_RESTART,
            "Keep the manager's last accepted config in <database_path>/tls_config.json and run it when hostqld starts with the manager down (osquery's default is false; hostql's true, so that a host restarted during an outage keeps its schedule, file paths and alerts); false removes the copy");
    public static final Setting<Long> CONFIG_ACCELERATED_REFRESH = GROUP.int64("config_accelerated_refresh", 300, 0, Long.MAX_VALUE, AT_RESTART,
            "Seconds between config fetches after one failed");
    public static final Setting<Long> CONFIG_TLS_MAX_ATTEMPTS = GROUP.int64("config_tls_max_attempts", 3, 0, Long.MAX_VALUE, AT_RESTART,
            "Attempts of one config fetch (i squared seconds between them)");

    private RemoteFlags() {}
}
