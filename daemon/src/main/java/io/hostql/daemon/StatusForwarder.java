package io.hostql.daemon;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import io.hostql.config.Version;
import io.hostql.loggers.StatusLines;
import io.hostql.loggers.delivery.Delivery;
import java.util.ArrayDeque;

/**
 * Copies status-log lines at or above {@code --logger_min_status} to the logger plugins that take
 * status lines (through the outbox, as JSON status lines). It is attached before the outbox opens so
 * start-up lines are kept (up to a bound) and sent once the plugins exist, as osquery passes its
 * buffered status lines to a plugin's init. A line logged while a line is being forwarded on the
 * same thread (Chronicle or the outbox logging) is not forwarded, so forwarding never recurses. It
 * holds no appender lock while it appends to the outbox (unsynchronized base): a thread that logs
 * while it holds the outbox's lock cannot deadlock with one that forwards.
 */
final class StatusForwarder extends UnsynchronizedAppenderBase<ILoggingEvent> {
    private static final int EARLY_MAX = 1000;
    private static final ThreadLocal<Boolean> FORWARDING = ThreadLocal.withInitial(() -> false);

    private final ArrayDeque<ILoggingEvent> early = new ArrayDeque<>();
    private volatile Delivery delivery;
    private volatile boolean off;
    private volatile int minSeverity;
    private volatile String hostIdentifier = "";

    @Override
    protected void append(ILoggingEvent e) {
        if (off || FORWARDING.get() || severity(e.getLevel()) < 0) return;
        FORWARDING.set(true);
        try {
            Delivery d = delivery;
            if (d != null) {
                forward(d, e);
                return;
            }
            synchronized (early) {
                if (delivery != null) {
                    forward(delivery, e);
                } else if (early.size() < EARLY_MAX) {
                    e.prepareForDeferredProcessing();
                    e.getCallerData();
                    early.add(e);
                }
            }
        } catch (RuntimeException ignored) {
            // the status log file has the line; a plugin missing it must not break the logging caller
        } finally {
            FORWARDING.set(false);
        }
    }

    private void forward(Delivery d, ILoggingEvent e) {
        int severity = severity(e.getLevel());
        if (severity < minSeverity) return;
        StackTraceElement[] caller = e.getCallerData();
        boolean known = caller != null && caller.length > 0;
        String file = known && caller[0].getFileName() != null ? caller[0].getFileName() : e.getLoggerName();
        int line = known ? Math.max(0, caller[0].getLineNumber()) : 0;
        d.logStatus(StatusLines.json(hostIdentifier, e.getTimeStamp() / 1000, severity, file, line, e.getFormattedMessage(),
                Version.VERSION));
    }

    private static int severity(Level l) {
        if (l.isGreaterOrEqual(Level.ERROR)) return 2;
        if (l.isGreaterOrEqual(Level.WARN)) return 1;
        if (l.isGreaterOrEqual(Level.INFO)) return 0;
        return -1;
    }

    /** The plugins exist: send the lines kept so far, then forward directly (or stop when no plugin takes status). */
    void attach(Delivery d, int minStatus, String hostIdentifier) {
        this.minSeverity = minStatus;
        this.hostIdentifier = hostIdentifier;
        synchronized (early) {
            if (d.takesStatus()) {
                for (ILoggingEvent e : early) forward(d, e);
                delivery = d;
            } else {
                off = true;
            }
            early.clear();
        }
    }

    /** Before the outbox closes: no more lines are forwarded. */
    void detach() {
        off = true;
        delivery = null;
    }
}
