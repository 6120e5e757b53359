package io.hostql.events;

/**
 * What a journal record holds, and how its payload decodes. A new event kind is its record class plus one
 * line here. The code is stored on disk: never renumber.
 */
public enum EventType {
    FILE(1, FileEvent::decode),
    PROCESS(2, ProcessEvent::decode),
    SOCKET(3, SocketEvent::decode),
    USER(4, UserEvent::decode),
    HARDWARE(5, HardwareEvent::decode),
    SYSLOG(6, SyslogEvent::decode),
    /** Seccomp, SELinux and AppArmor audit records ({@link SecurityEvent}). */
    SECURITY(7, SecurityEvent::decode),
    /** Kernel audit records as read, decoded by the subscribers ({@link AuditRecordsEvent}). */
    AUDIT_RECORDS(8, AuditRecordsEvent::decode),
    /** A file syscall (open, read, write, rename, unlink, link...) for process_file_events ({@link FileSyscallEvent}). */
    FILE_SYSCALL(9, FileSyscallEvent::decode),
    /** Events the kernel or hostql lost; every consumer sees the gap. */
    LOSS(100, LossEvent::decode),
    /** hostql's own markers (journal opened, recovered). */
    SYSTEM(101, SystemEvent::decode),
    /** A result, snapshot or status line in the logger outbox (not in the event journal). */
    LOG_LINE(102, LogLineEvent::decode);

    /** Reads one kind's payload: its record's static {@code decode}. */
    @FunctionalInterface
    public interface Decoder {
        Event decode(long captureNanos, RecordInput in);
    }

    public final int code;
    final Decoder decoder;

    EventType(int code, Decoder decoder) {
        this.code = code;
        this.decoder = decoder;
    }

    /** By code (codes are below 256: a frame stores one byte); values() copied its array at each record read. */
    private static final EventType[] BY_CODE = new EventType[256];

    static {
        for (EventType t : values()) BY_CODE[t.code] = t;
    }

    public static EventType of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
