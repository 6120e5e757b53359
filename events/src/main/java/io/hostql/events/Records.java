package io.hostql.events;

/** Decodes a journal payload into its typed event. New event kinds add one line here. */
public final class Records {
    private Records() {}

    public static Event decode(EventType type, long captureNanos, byte[] payload) {
        RecordInput in = new RecordInput(payload);
        return switch (type) {
            case FILE -> FileEvent.decode(captureNanos, in);
            case HARDWARE -> HardwareEvent.decode(captureNanos, in);
            case PROCESS -> ProcessEvent.decode(captureNanos, in);
            case SOCKET -> SocketEvent.decode(captureNanos, in);
            case USER -> UserEvent.decode(captureNanos, in);
            case SYSLOG -> SyslogEvent.decode(captureNanos, in);
            case SECURITY -> SecurityEvent.decode(captureNanos, in);
            case AUDIT_RECORDS -> AuditRecordsEvent.decode(captureNanos, in);
            case FILE_SYSCALL -> FileSyscallEvent.decode(captureNanos, in);
            case LOSS -> LossEvent.decode(captureNanos, in);
            case SYSTEM -> SystemEvent.decode(captureNanos, in);
            case LOG_LINE -> LogLineEvent.decode(captureNanos, in);
            default -> throw new CorruptRecordException("no decoder for event type " + type);
        };
    }
}
