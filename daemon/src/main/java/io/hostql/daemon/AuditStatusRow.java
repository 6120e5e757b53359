package io.hostql.daemon;

import io.hostql.evented.EventedTables;
import io.hostql.evented.Row;
import io.hostql.publishers.audit.AuditPublisher;

/** hostql_audit_status's one row, from the audit publisher's counters. */
final class AuditStatusRow {
    private AuditStatusRow() {}

    private static final Row.Layout STATUS = Row.layout(EventedTables.AUDIT_STATUS);
    private static final Row.Text MODE = STATUS.text("mode");
    private static final Row.Int TIME = STATUS.integer("time"), HOSTQLD_PID = STATUS.integer("hostqld_pid"), OWNER_PID = STATUS.integer("owner_pid"),
            ENABLED = STATUS.integer("enabled"), BACKLOG_LIMIT = STATUS.integer("backlog_limit"), BACKLOG_WAIT_TIME = STATUS.integer("backlog_wait_time"),
            BACKLOG = STATUS.integer("backlog"), KERNEL_LOST_AT_START = STATUS.integer("kernel_lost_at_start"), KERNEL_LOST = STATUS.integer("kernel_lost"),
            RECORDS = STATUS.integer("records"), PROCESS_EVENTS = STATUS.integer("process_events"), SOCKET_EVENTS = STATUS.integer("socket_events"),
            USER_EVENTS = STATUS.integer("user_events"), INCOMPLETE = STATUS.integer("incomplete"), SERIAL_GAP_EVENTS = STATUS.integer("serial_gap_events"),
            ENOBUFS = STATUS.integer("enobufs"), IGNORED_OWN = STATUS.integer("ignored_own"), MALFORMED = STATUS.integer("malformed"),
            RECEIVE_BUFFER = STATUS.integer("receive_buffer");

    /** The row as of now (time in epoch seconds), counters since this hostqld started. */
    static Row of(AuditPublisher.Stats s, long time) {
        return STATUS.row().set(TIME, time).set(HOSTQLD_PID, ProcessHandle.current().pid()).set(MODE, s.mode()).set(OWNER_PID, s.ownerPid())
                .set(ENABLED, s.enabled()).set(BACKLOG_LIMIT, s.backlogLimit()).set(BACKLOG_WAIT_TIME, s.backlogWaitTime()).set(BACKLOG, s.backlog())
                .set(KERNEL_LOST_AT_START, s.kernelLostAtStart()).set(KERNEL_LOST, s.kernelLost()).set(RECORDS, s.records())
                .set(PROCESS_EVENTS, s.processEvents()).set(SOCKET_EVENTS, s.socketEvents()).set(USER_EVENTS, s.userEvents())
                .set(INCOMPLETE, s.incomplete()).set(SERIAL_GAP_EVENTS, s.serialGapEvents()).set(ENOBUFS, s.enobufs())
                .set(IGNORED_OWN, s.ignoredOwn()).set(MALFORMED, s.malformed()).set(RECEIVE_BUFFER, s.receiveBuffer());
    }
}
