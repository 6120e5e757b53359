package io.hostql.remote.config;

import java.io.IOException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches the config every {@code --config_refresh} seconds (0: once, at start), and every
 * {@code --config_accelerated_refresh} seconds after a failure until one succeeds. What was fetched
 * goes to apply, the daemon's validated reload path, which answers whether it was taken.
 */
public final class ConfigRefresher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigRefresher.class);

    private final TlsConfig source;
    private final Predicate<String> apply;
    private final long refreshSeconds, acceleratedSeconds;
    private final Thread thread;
    private volatile boolean closed;
    private boolean lastOk;
    private String lastRefused;

    public ConfigRefresher(TlsConfig source, Predicate<String> apply, long refreshSeconds, long acceleratedSeconds) {
        this.source = source;
        this.apply = apply;
        this.refreshSeconds = refreshSeconds;
        this.acceleratedSeconds = Math.max(1, acceleratedSeconds);
        this.thread = new Thread(this::loop, "hostql-config-tls");
        this.thread.setDaemon(true);
    }

    /** One fetch and apply; true when the config was taken (or unchanged). The failure is in the status log already. */
    public boolean refreshNow() {
        String text;
        try {
            text = source.fetch();
        } catch (IOException e) {
            lastOk = false; // the request's failure was logged by RemoteStatus, once
            return false;
        }
        if (text.equals(lastRefused)) {
            lastOk = false; // refused already, and said so once
            return false;
        }
        lastOk = apply.test(text);
        lastRefused = lastOk ? null : text;
        return lastOk;
    }

    public void start() {
        thread.start();
    }

    private void loop() {
        try {
            while (!closed) {
                long next = lastOk ? refreshSeconds : acceleratedSeconds;
                if (next <= 0) return; // config_refresh 0: the start's config stays
                sleep(next * 1000);
                if (!closed) refreshNow();
            }
        } catch (RuntimeException e) {
            log.error("config over TLS: the refresh thread failed; the running config stays until hostqld restarts: {}", e.toString(), e);
        }
    }

    private synchronized void sleep(long millis) {
        long end = System.currentTimeMillis() + millis;
        try {
            for (long left = millis; left > 0 && !closed; left = end - System.currentTimeMillis()) wait(left);
        } catch (InterruptedException e) {
            closed = true;
        }
    }

    @Override
    public void close() {
        closed = true;
        source.close();
        synchronized (this) {
            notifyAll();
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
