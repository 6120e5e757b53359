package io.hostql.daemon.schedule;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health of one write path of the scheduler (the result log, the schedule state): a disk that
 * is full, read-only or failing gives one status line when writes start failing and one when they
 * work again, never a line per attempt, so a fault cannot flood the status log (which is usually on
 * the same disk). The stack trace is logged only with --verbose (DEBUG).
 */
final class WriteFault {
    private static final Logger log = LoggerFactory.getLogger(WriteFault.class);

    private final String what, whileFailing;
    private boolean failing;
    private long since, attempts, linesDropped, runsDropped;

    /** what: the path, as the status line names it; whileFailing: what hostqld does meanwhile. */
    WriteFault(String what, String whileFailing) {
        this.what = what;
        this.whileFailing = whileFailing;
    }

    /** A write failed; lines: the result lines it could not write (0 for state). */
    synchronized void failed(Throwable e, long lines) {
        attempts++;
        if (lines > 0) {
            linesDropped += lines;
            runsDropped++;
        }
        if (failing) {
            log.debug("{}: still failing: {}", what, reason(e), e);
            return;
        }
        failing = true;
        since = System.currentTimeMillis();
        log.error("cannot write {}: {}; until it works again, {}", what, reason(e), whileFailing);
        log.debug("{}: the failure", what, e);
    }

    /** A write succeeded: ends a fault, with its counts. */
    synchronized void succeeded() {
        if (!failing) return;
        failing = false;
        long seconds = (System.currentTimeMillis() - since) / 1000;
        log.warn("{} can be written again after {} s of failures ({} attempts); {}", what, seconds, attempts,
                linesDropped > 0 ? linesDropped + " result lines of " + runsDropped + " runs were not written" : "nothing was lost");
        attempts = linesDropped = runsDropped = 0;
    }

    synchronized boolean failing() {
        return failing;
    }

    /** The result lines dropped in the current fault (0 when healthy). */
    synchronized long linesDropped() {
        return linesDropped;
    }

    private static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        String r = root.getMessage();
        return r != null && root != e && !m.contains(r) ? m + " (" + r + ")" : m;
    }
}
