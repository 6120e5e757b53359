package io.hostql.config.flags;

import static io.hostql.config.flags.Reload.AT_RESTART;

import java.nio.file.Path;

/** Result and status logging: the logger plugins and their outbox. */
public final class LoggerFlags {
    public static final SettingGroup GROUP = new SettingGroup("logging", "Result and status logging: the logger plugins and their outbox");

    public static final Setting<Path> LOGGER_PATH = GROUP.path("logger_path", "/var/log/hostql", AT_RESTART,
            "Directory for the filesystem logger's result and status logs");
    public static final Setting<String> LOGGER_PLUGIN = GROUP.string("logger_plugin", "filesystem", AT_RESTART,
            "Comma-separated logger plugins: filesystem (<logger_path>/hostqld.results.log and hostqld.snapshots.log), stdout, syslog, kafka_producer, gelf, elasticsearch, splunk_hec, tls (the manager's log endpoint)");
    public static final Setting<Integer> LOGGER_MIN_STATUS = GROUP.int32("logger_min_status", 0, 0, 3, AT_RESTART,
            "Minimum status log severity sent to the logger plugins that take status lines: 0 INFO, 1 WARNING, 2 ERROR, 3 none");
    public static final Setting<Long> BUFFERED_LOG_MAX = GROUP.int64("buffered_log_max", 1000000, 0, Long.MAX_VALUE, AT_RESTART,
            "Most result and status lines kept in the outbox for one logger plugin; past it the oldest are dropped and counted (0: no cap)");
    public static final Setting<Long> LOGGER_OUTBOX_MAX_BYTES = GROUP.int64("logger_outbox_max_bytes", 1073741824, 0, Long.MAX_VALUE, AT_RESTART,
            "Most bytes of lines kept in the outbox for one logger plugin; past it the oldest are dropped and counted (0: no cap) (hostql)");
    public static final Setting<String> LOGGER_TLS_ENDPOINT = GROUP.string("logger_tls_endpoint", "", AT_RESTART,
            "Path of the manager's log endpoint for the tls logger plugin (Fleet: /api/v1/osquery/log)");
    public static final Setting<Long> LOGGER_TLS_PERIOD = GROUP.int64("logger_tls_period", 4, 0, Long.MAX_VALUE, AT_RESTART,
            "Seconds between two requests of the tls logger plugin");
    public static final Setting<Long> LOGGER_TLS_MAX_LINES = GROUP.int64("logger_tls_max_lines", 1024, 0, Long.MAX_VALUE, AT_RESTART,
            "Most lines in one request of the tls logger plugin");
    public static final Setting<Long> LOGGER_TLS_MAX_LINESIZE = GROUP.int64("logger_tls_max_linesize", 1048576, 0, Long.MAX_VALUE, AT_RESTART,
            "Longest line the tls logger plugin sends, in bytes; a longer one is dropped and counted as lost");
    public static final Setting<Boolean> LOGGER_TLS_COMPRESS = GROUP.bool("logger_tls_compress", false, AT_RESTART,
            "Gzip the bodies of the tls logger plugin (only when the manager takes compressed bodies)");
    public static final Setting<Boolean> TLS_DISABLE_STATUS_LOG = GROUP.bool("tls_disable_status_log", false, AT_RESTART,
            "Do not send status lines to the tls logger plugin");
    public static final Setting<Long> LOGGER_TLS_BACKOFF_MAX = GROUP.int64("logger_tls_backoff_max", 60, 1, Long.MAX_VALUE, AT_RESTART,
            "Longest pause in seconds between retries of the tls logger while the manager is down (doubling from 1 s; osquery's default is 3600, hostql's 60 so that a backlog starts draining within a minute or so of the manager's return)");
    public static final Setting<Integer> LOGGER_SYSLOG_FACILITY = GROUP.int32("logger_syslog_facility", 19, 0, 23, AT_RESTART,
            "Syslog facility of the syslog logger plugin (0-23; 19 is local3)");
    public static final Setting<Boolean> LOGGER_SYSLOG_PREPEND_CEE = GROUP.bool("logger_syslog_prepend_cee", false, AT_RESTART,
            "Prefix result lines sent to syslog with @cee:");
    public static final Setting<String> LOGGER_SYSLOG_TARGET = GROUP.string("logger_syslog_target", "unix:///dev/log", AT_RESTART,
            "Where the syslog plugin sends: unix:///dev/log (the local syslog daemon, as osquery), tcp://host:port (RFC 5424, octet-counted) or tls://host:port (RFC 5425) (hostql)");
    public static final Setting<String> LOGGER_SYSLOG_TLS_CA = GROUP.string("logger_syslog_tls_ca", "", AT_RESTART,
            "PEM file of the CA certificates a tls:// syslog target is verified against (empty: the JDK's trust store) (hostql)");
    public static final Setting<String> LOGGER_KAFKA_BROKERS = GROUP.string("logger_kafka_brokers", "localhost", AT_RESTART,
            "Kafka brokers of the kafka_producer logger plugin: host or host:port, comma-separated (port 9092 by default); an ssl:// prefix turns on TLS with the tls_* certificate flags");
    public static final Setting<String> LOGGER_KAFKA_TOPIC = GROUP.string("logger_kafka_topic", "", AT_RESTART,
            "Kafka topic of the lines whose query the config's kafka_topics does not list (empty: only kafka_topics' queries are sent)");
    public static final Setting<String> LOGGER_KAFKA_ACKS = GROUP.choice("logger_kafka_acks", "all", AT_RESTART,
            "Acknowledgements the kafka_producer waits for: all (the idempotent producer), 1 (the leader) or 0 (none)", "all", "1", "0", "-1");
    public static final Setting<String> LOGGER_KAFKA_COMPRESSION = GROUP.choice("logger_kafka_compression", "none", AT_RESTART,
            "Compression of the kafka_producer's batches: none, gzip, snappy, lz4 or zstd", "none", "gzip", "snappy", "lz4", "zstd");
    public static final Setting<String> LOGGER_GELF_TARGET = GROUP.string("logger_gelf_target", "tcp://localhost:12201", AT_RESTART,
            "Where the gelf logger plugin sends GELF 1.1 (Graylog's GELF TCP input): tcp://host:port or tls://host:port (port 12201 by default) (hostql)");
    public static final Setting<String> LOGGER_GELF_TLS_CA = GROUP.string("logger_gelf_tls_ca", "", AT_RESTART,
            "PEM file of the CA certificates a tls:// GELF target is verified against (empty: the JDK's trust store) (hostql)");
    public static final Setting<String> LOGGER_ELASTICSEARCH_URLS = GROUP.string("logger_elasticsearch_urls", "http://localhost:9200", AT_RESTART,
            "Comma-separated http(s):// URLs of Elasticsearch or OpenSearch nodes for the elasticsearch logger plugin; the next is tried when one cannot be reached (hostql)");
    public static final Setting<String> LOGGER_ELASTICSEARCH_INDEX = GROUP.string("logger_elasticsearch_index", "osquery-results-%{+yyyy.MM.dd}", AT_RESTART,
            "Index of result and snapshot lines; %{+yyyy.MM.dd} is the line's date (UTC, java.time pattern) (hostql)");
    public static final Setting<String> LOGGER_ELASTICSEARCH_STATUS_INDEX = GROUP.string("logger_elasticsearch_status_index", "osquery-status-%{+yyyy.MM.dd}", AT_RESTART,
            "Index of status lines, same syntax (hostql)");
    public static final Setting<String> LOGGER_ELASTICSEARCH_TLS_CA = GROUP.string("logger_elasticsearch_tls_ca", "", AT_RESTART,
            "PEM file of the CA certificates https:// URLs are verified against (empty: the JDK's trust store) (hostql)");
    public static final Setting<String> LOGGER_ELASTICSEARCH_USERNAME = GROUP.string("logger_elasticsearch_username", "", AT_RESTART,
            "User for HTTP basic authentication, with logger_elasticsearch_password_file (hostql)");
    public static final Setting<String> LOGGER_ELASTICSEARCH_PASSWORD_FILE = GROUP.string("logger_elasticsearch_password_file", "", AT_RESTART,
            "File holding the basic authentication password (hostql)");
    public static final Setting<String> LOGGER_ELASTICSEARCH_API_KEY_FILE = GROUP.string("logger_elasticsearch_api_key_file", "", AT_RESTART,
            "File holding an Elasticsearch API key (the encoded id:key), sent as Authorization: ApiKey (hostql)");
    public static final Setting<String> LOGGER_SPLUNK_URL = GROUP.string("logger_splunk_url", "https://localhost:8088", AT_RESTART,
            "Splunk HTTP Event Collector of the splunk_hec logger plugin: its base URL (events go to /services/collector/event) (hostql)");
    public static final Setting<String> LOGGER_SPLUNK_TOKEN_FILE = GROUP.string("logger_splunk_token_file", "", AT_RESTART,
            "File holding the HEC token, sent as Authorization: Splunk <token> (hostql)");
    public static final Setting<String> LOGGER_SPLUNK_TLS_CA = GROUP.string("logger_splunk_tls_ca", "", AT_RESTART,
            "PEM file of the CA certificates an https:// HEC is verified against (empty: the JDK's trust store) (hostql)");
    public static final Setting<String> LOGGER_SPLUNK_INDEX = GROUP.string("logger_splunk_index", "", AT_RESTART,
            "Splunk index of the events (empty: the token's default index) (hostql)");
    public static final Setting<Boolean> LOGGER_SPLUNK_ACK = GROUP.bool("logger_splunk_ack", false, AT_RESTART,
            "Use HEC's indexer acknowledgement: a batch counts as delivered only once HEC says it is indexed (hostql)");
    public static final Setting<Long> LOGGER_SPLUNK_ACK_TIMEOUT = GROUP.int64("logger_splunk_ack_timeout", 120, 1, Long.MAX_VALUE, AT_RESTART,
            "Seconds to wait for an indexer acknowledgement before the batch is sent again (hostql)");
    public static final Setting<String> LOGGER_MODE = GROUP.string("logger_mode", "0640", AT_RESTART,
            "Octal file mode of the result logs");
    public static final Setting<Boolean> LOGGER_ROTATE = GROUP.bool("logger_rotate", true, AT_RESTART,
            "Rotate the result logs by size (hostql: on by default, so a chatty query cannot fill the disk)");
    public static final Setting<Long> LOGGER_ROTATE_SIZE = GROUP.int64("logger_rotate_size", 26214400, 0, Long.MAX_VALUE, AT_RESTART,
            "Size in bytes at which a result log is rotated");
    public static final Setting<Integer> LOGGER_ROTATE_MAX_FILES = GROUP.int32("logger_rotate_max_files", 25, 0, Integer.MAX_VALUE, AT_RESTART,
            "Number of rotated result logs kept");
    public static final Setting<Boolean> LOGGER_EVENT_TYPE = GROUP.bool("logger_event_type", true, AT_RESTART,
            "Log differential results one line per changed row (false: one diffResults line per run)");
    public static final Setting<Boolean> LOGGER_SNAPSHOT_EVENT_TYPE = GROUP.bool("logger_snapshot_event_type", false, AT_RESTART,
            "Log snapshot results one line per row (false: one line holding every row)");
    public static final Setting<Boolean> LOGGER_NUMERICS = GROUP.bool("logger_numerics", false, AT_RESTART,
            "Log INTEGER, BIGINT and DOUBLE values as JSON numbers rather than strings");
    public static final Setting<Boolean> DECORATIONS_TOP_LEVEL = GROUP.bool("decorations_top_level", false, AT_RESTART,
            "Put decorations at the top level of result lines rather than under \"decorations\"");
    public static final Setting<Boolean> STATUS_LOG_JSON = GROUP.bool("status_log_json", false, AT_RESTART,
            "Write the status log file as one JSON object per line (hostql)");
    public static final Setting<Boolean> DISABLE_LOGGING = GROUP.bool("disable_logging", false, AT_RESTART,
            "Disable result logging");

    private LoggerFlags() {}
}
