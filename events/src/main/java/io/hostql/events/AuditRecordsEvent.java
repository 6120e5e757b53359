package io.hostql.events;

/**
 * Kernel audit records as they came off the netlink socket, undecoded: one audit event's records (a
 * syscall's SYSCALL, EXECVE, PATH, SOCKADDR, PROCTITLE..., grouped by serial; the EOE that ends it is
 * not kept, {@link #COMPLETE} says it came), or one standalone record (user and security messages). The
 * audit reader only frames and appends them; subscribers decode them into typed events, so parsing
 * costs nothing on the thread that must keep up with the kernel.
 *
 * <p>{@code records}: for each record its type (u16), its length (u16) and its text, little-endian.
 */
public record AuditRecordsEvent(long captureNanos, int flags, byte[] records) implements Event {
    /** The group's end record (EOE) arrived; standalone records are complete. */
    public static final int COMPLETE = 1;

    /** Receives each record of a group: its type and its text in {@code b[off, off + len)}. */
    public interface RecordVisitor {
        void record(int type, byte[] b, int off, int len);
    }

    @Override
    public EventType type() {
        return EventType.AUDIT_RECORDS;
    }

    public boolean complete() {
        return (flags & COMPLETE) != 0;
    }

    /** The first record's type (SYSCALL for a syscall event), or -1 when empty. */
    public int firstType() {
        return records.length < 4 ? -1 : (records[0] & 0xff) | (records[1] & 0xff) << 8;
    }

    /** Each record in order; stops at a truncated entry (a damaged payload yields what is whole). */
    public void forEach(RecordVisitor v) {
        int p = 0;
        while (p + 4 <= records.length) {
            int type = (records[p] & 0xff) | (records[p + 1] & 0xff) << 8;
            int len = (records[p + 2] & 0xff) | (records[p + 3] & 0xff) << 8;
            if (p + 4 + len > records.length) return;
            v.record(type, records, p + 4, len);
            p += 4 + len;
        }
    }

    @Override
    public void encode(RecordOutput out) {
        out.writeInt(flags).writeBytes(records);
    }

    public static AuditRecordsEvent decode(long captureNanos, RecordInput in) {
        int flags = in.readInt();
        byte[] records = in.readBytes();
        if (records == null) throw new CorruptRecordException("audit records: no payload");
        return new AuditRecordsEvent(captureNanos, flags, records);
    }

    @Override
    public String toString() {
        int[] n = {0};
        forEach((t, b, o, l) -> n[0]++);
        return "AuditRecordsEvent[" + n[0] + " records, first type " + firstType() + (complete() ? "" : ", incomplete") + "]";
    }
}
