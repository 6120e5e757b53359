package io.hostql.publishers;

import io.hostql.config.Settings;
import io.hostql.config.osquery.OsqueryConfig;
import java.io.IOException;

/**
 * An event source: reads one kernel facility and appends typed events (and loss records) to the journal.
 * The lifecycle, after osquery's EventPublisher (setUp, configure, run, tearDown): a factory configures it
 * from the settings and the config and opens what must not miss anything from then on; {@link #start}
 * starts reading; {@link #reconfigure} applies a reloaded config (SIGHUP); {@link #close} stops it.
 * Most publishers are a {@link ReaderThread}, which writes that lifecycle once.
 */
public interface Publisher extends AutoCloseable {
    /** The name in osquery_events and in the registration table ("inotify", "uevent", "audit"). */
    String name();

    /** Starts reading. Throws, having changed nothing or put it back, when the source cannot be used. */
    void start() throws IOException;

    /**
     * A reloaded config (SIGHUP): applies what can change while running. What needs a restart of the
     * publisher (or of hostqld) is handled by its registration, which may replace the publisher.
     */
    default void reconfigure(OsqueryConfig config, Settings settings) {}

    /** What osquery_events shows: whether it reads now, events published and loss records written. */
    Status status();

    /** Stops reading and releases the source. Idempotent. */
    @Override
    void close();

    record Status(String name, boolean active, long events, long losses) {}
}
