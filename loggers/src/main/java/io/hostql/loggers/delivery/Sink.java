package io.hostql.loggers.delivery;

import io.hostql.events.LogLineEvent;
import java.io.IOException;
import java.util.List;

/**
 * A remote logger plugin as the delivery layer sees it: it takes a batch of outbox lines and returns
 * only when the receiver has acknowledged all of them, or throws. Its {@link SinkRunner} owns the
 * thread, the cursor, the retries and the bound, so a plugin is only its wire format and its
 * connection. Adding one: implement this, add a line to {@link LoggerPlugins}, its flags to
 * {@link io.hostql.config.flags.LoggerFlags}.
 */
public interface Sink extends AutoCloseable {
    /** The {@code --logger_plugin} name (also the cursor's and the loss records' name). */
    String plugin();

    /** Where lines go, for hostql_logger_status and the status log (never a secret). */
    String target();

    /** Whether status lines go to this plugin too (osquery: syslog, stdout, tls, not kafka_producer). */
    boolean takesStatus();

    /**
     * Delivers the lines in order. Returns when every line was acknowledged (or refused through
     * {@code refused}: a line the receiver can never take, which is counted as lost, not retried);
     * throws when the batch must be retried. A retried batch may repeat lines already received.
     */
    void deliver(List<LogLineEvent> lines, Refused refused) throws IOException;

    /**
     * Most lines handed to one deliver: a plugin whose request holds fewer than the runner's batch
     * (the tls logger's --logger_tls_max_lines) says so, so that a batch is one request and a retry
     * or a kill repeats at most that request's lines.
     */
    default int maxBatchLines() {
        return Integer.MAX_VALUE;
    }

    /** The longest pause between retries when this plugin has a flag for it (the tls logger's --logger_tls_backoff_max), or 0. */
    default long maxBackoffMillis() {
        return 0;
    }

    /**
     * The osquery config, at start and after each reload (SIGHUP), for a plugin that reads a key of it
     * (kafka_producer's kafka_topics). Called from another thread than deliver's.
     */
    default void configure(io.hostql.config.osquery.OsqueryConfig config) {}

    /** Drops the connection (the next deliver reconnects). */
    @Override
    void close();

    interface Refused {
        void line(LogLineEvent line, String reason);
    }
}
