package io.hostql.events;

/** What a journal record holds. The code is stored on disk: never renumber. */
public enum EventType {
    FILE(1), PROCESS(2), SOCKET(3), USER(4), HARDWARE(5), SYSLOG(6),
    /** Seccomp, SELinux and AppArmor audit records ({@link SecurityEvent}). */
    SECURITY(7),
    /** Kernel audit records as read, decoded by the subscribers ({@link AuditRecordsEvent}). */
    AUDIT_RECORDS(8),
    /** A file syscall (open, read, write, rename, unlink, link...) for process_file_events ({@link FileSyscallEvent}). */
    FILE_SYSCALL(9),
    /** Events the kernel or hostql lost; every consumer sees the gap. */
    LOSS(100),
    /** hostql's own markers (journal opened, recovered). */
    SYSTEM(101),
    /** A result, snapshot or status line in the logger outbox (not in the event journal). */
    LOG_LINE(102);

    public final int code;

    EventType(int code) {
        this.code = code;
    }

    public static EventType of(int code) {
        for (EventType t : values()) if (t.code == code) return t;
        return null;
    }
}
