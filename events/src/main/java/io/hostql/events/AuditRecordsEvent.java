package io.hostql.events;

/**
 * Kernel audit records as they came off the netlink socket, undecoded: one audit event's records (a
 * syscall's SYSCALL, EXECVE, PATH, SOCKADDR, PROCTITLE..., grouped by serial; the EOE that ends it is
 * not kept, {@link #COMPLETE} says it came), or one standalone record (user and security messages). The
 * audit reader only frames and appends them; subscribers decode them into typed events, so parsing
 * costs nothing on the thread that must keep up with the kernel.
 *
 * <p>{@code records}, little-endian, in one of two layouts:
 * <ul>
 *   <li>without {@link #SHARED_STAMP} (standalone records, and every group journaled before the flag existed):
 *       for each record its type (u16), its length (u16) and its whole text, {@code audit(SECONDS.MILLIS:SERIAL): key=value ...};
 *   <li>with {@link #SHARED_STAMP} (syscall groups): the group's stamp once, its length (u16) and its text
 *       {@code audit(SECONDS.MILLIS:SERIAL):}, then for each record its type (u16), its length (u16) and its text
 *       after that stamp ({@code " key=value ..."}). A record whose own stamp differs from the group's keeps it
 *       whole, and its type carries {@link #OWN_STAMP}.
 * </ul>
 * The stamp is the same on every record of an event: kept once, it saves about 28 bytes per record.
 */
public record AuditRecordsEvent(long captureNanos, int flags, byte[] records) implements Event {
    /** The group's end record (EOE) arrived; standalone records are complete. */
    public static final int COMPLETE = 1;
    /** The group's {@code audit(...):} stamp comes once, ahead of its records, which leave it out (see the layout above). */
    public static final int SHARED_STAMP = 2;
    /** In a {@link #SHARED_STAMP} payload, on a record's type: this record's text keeps a stamp of its own. */
    public static final int OWN_STAMP = 0x8000;
    /**
     * Records were cut to fit one journal record ({@link #MAX_RECORDS_BYTES}): an exec's excess EXECVE records (its later
     * arguments), or whatever came after the group was full. The reader counts what it cut in a loss record.
     */
    public static final int TRUNCATED = 4;
    /** The most bytes of {@code records} one event may carry: what one journal record holds less the flags and the length. */
    public static final int MAX_RECORDS_BYTES = Journal.MAX_EVENT_BYTES - 8;
    /** Where the shared stamp's text starts in {@link #records()} (see {@link #stampLength}). */
    public static final int STAMP_OFFSET = 2;

    /**
     * Receives each record of a group: its type and its text in {@code b[off, off + len)}; {@code stamped}: the
     * text starts with its own {@code audit(...):} stamp, else it is the part after the group's stamp ({@link #stampLength}).
     */
    public interface RecordVisitor {
        void record(int type, boolean stamped, byte[] b, int off, int len);
    }

    @Override
    public EventType type() {
        return EventType.AUDIT_RECORDS;
    }

    public boolean complete() {
        return (flags & COMPLETE) != 0;
    }

    public boolean truncated() {
        return (flags & TRUNCATED) != 0;
    }

    public boolean sharedStamp() {
        return (flags & SHARED_STAMP) != 0;
    }

    /** The length of the group's shared stamp, at {@code records[2]} (0 without {@link #SHARED_STAMP}, or when damaged). */
    public int stampLength() {
        if (!sharedStamp() || records.length < 2) return 0;
        int n = u16(records, 0);
        return 2 + n > records.length ? 0 : n;
    }

    private int firstRecord() {
        return sharedStamp() ? Math.min(records.length, 2 + (records.length < 2 ? 0 : u16(records, 0))) : 0;
    }

    /** The first record's type (SYSCALL for a syscall event), or -1 when empty. */
    public int firstType() {
        int p = firstRecord();
        return p + 4 > records.length ? -1 : u16(records, p) & ~OWN_STAMP;
    }

    /** Where the first record's text starts in {@link #records()}, or -1 when there is none. */
    public int firstTextOffset() {
        int p = firstRecord();
        return p + 4 > records.length ? -1 : p + 4;
    }

    /** The first record's text length (cut to what the payload holds), or 0 when there is none. */
    public int firstTextLength() {
        int p = firstRecord();
        return p + 4 > records.length ? 0 : Math.min(u16(records, p + 2), records.length - p - 4);
    }

    /** Each record in order; stops at a truncated entry (a damaged payload yields what is whole). */
    public void forEach(RecordVisitor v) {
        boolean shared = sharedStamp();
        int p = firstRecord();
        while (p + 4 <= records.length) {
            int type = u16(records, p);
            int len = u16(records, p + 2);
            if (p + 4 + len > records.length) return;
            boolean own = !shared || (type & OWN_STAMP) != 0;
            v.record(shared ? type & ~OWN_STAMP : type, own, records, p + 4, len);
            p += 4 + len;
        }
    }

    private static int u16(byte[] b, int p) {
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8;
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
        forEach((t, s, b, o, l) -> n[0]++);
        return "AuditRecordsEvent[" + n[0] + " records, first type " + firstType() + (complete() ? "" : ", incomplete") + "]";
    }
}
