package io.hostql.publishers.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code audit_backlog_limit_max}: in owner mode, each rise of the kernel's {@code lost} counter at the backlog
 * ({@link LossEstimator.Drop#BACKLOG}) doubles the kernel's {@code backlog_limit}, up to the bound and never above it, so that
 * a burst the reader drains a little later is queued in the kernel instead of dropped. A rate-limit drop does not raise it:
 * the rate limit drops what is over its rate however long the queue. The limit found at start is already in
 * {@code audit.state} ({@link AuditControl} records the backlog before it first sets it), so a stop, or the next start after
 * a crash, puts it back.
 */
final class BacklogGovernor {
    private static final Logger log = LoggerFactory.getLogger(BacklogGovernor.class);

    /** Sets the kernel's backlog_limit; false when hostql does not own it (coexist mode, a locked configuration). */
    interface Limit {
        boolean set(int limit);
    }

    private final int bound;
    private final Limit limit;
    private boolean boundSaid, rateLimitSaid;

    private BacklogGovernor(int bound, Limit limit) {
        this.bound = bound;
        this.limit = limit;
    }

    /**
     * The governor for a publisher that started in {@code mode} with the kernel status {@code st}: one status line says when
     * the setting cannot act (coexist mode, a limit already at or above the bound); {@code limit} is only called in owner mode.
     */
    static BacklogGovernor start(int bound, AuditPublisher.Mode mode, AuditStatus st, Limit limit) {
        if (bound <= 0) return new BacklogGovernor(0, null);
        if (mode != AuditPublisher.Mode.OWNER) {
            log.info("audit: audit_backlog_limit_max={} does not apply in coexist mode: the backlog belongs to the audit daemon (pid {});"
                    + " hostql changes nothing", bound, st.pid());
            return new BacklogGovernor(0, null);
        }
        if (st.backlogLimit() == 0 || st.backlogLimit() >= bound) {
            log.info("audit: backlog_limit {} is {} audit_backlog_limit_max={}: it is not raised on losses", st.backlogLimit(),
                    st.backlogLimit() == 0 ? "unlimited, beyond" : "already at or above", bound);
        }
        return new BacklogGovernor(bound, limit);
    }

    /** The limit after a loss at {@code current}: doubled, at most {@code bound}; {@code current} when it stays (0 is unlimited). */
    static int next(int current, int bound) {
        if (current <= 0 || current >= bound) return current;
        return (int) Math.min(2L * current, bound);
    }

    /** The kernel's lost counter rose by {@code records} since the last poll, whose status is {@code s}. */
    void lost(long records, AuditStatus s) {
        if (limit == null) return;
        if (LossEstimator.Drop.of(s) == LossEstimator.Drop.RATE_LIMIT) {
            if (!rateLimitSaid) {
                rateLimitSaid = true;
                log.warn("audit: the kernel's rate_limit {} dropped {} records (backlog {} of backlog_limit {}): backlog_limit is not"
                        + " raised for rate-limit losses, which a bigger backlog does not prevent", s.rateLimit(), records, s.backlog(),
                        s.backlogLimit());
            }
            return;
        }
        int current = s.backlogLimit();
        int raised = next(current, bound);
        if (raised == current) {
            if (!boundSaid && current >= bound) {
                boundSaid = true;
                log.warn("audit: the kernel lost {} records at the backlog with backlog_limit {}, which is at audit_backlog_limit_max={}:"
                        + " not raised further; losses are counted in hostql_event_losses", records, current, bound);
            }
            return;
        }
        try {
            if (!limit.set(raised)) return;
        } catch (RuntimeException e) {
            log.error("audit: raising backlog_limit from {} to {} failed: {}", current, raised, e.getMessage());
            return;
        }
        log.warn("audit: the kernel lost {} records at the backlog (backlog {} of backlog_limit {}): backlog_limit raised from {} to {}"
                + " (audit_backlog_limit_max={}; put back on stop)", records, s.backlog(), current, current, raised, bound);
    }
}
