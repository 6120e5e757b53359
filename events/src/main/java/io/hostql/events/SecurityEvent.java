package io.hostql.events;

import java.util.Arrays;

/**
 * One audit record from a kernel security module or filter: a seccomp action logged (SECCOMP, 1326),
 * an SELinux decision or change (AVC, SELINUX_ERR, MAC_*, USER_AVC) or an AppArmor decision (AVC or
 * APPARMOR_* with an {@code apparmor} field). {@code kind} says which table it is for; {@code text} is
 * the record as the kernel sent it; {@code names}/{@code values} are its fields, untrusted strings decoded.
 */
public record SecurityEvent(long captureNanos, long kernelMillis, long serial, int recordType, Kind kind, byte[] text,
        String[] names, String[] values) implements Event {
    /** The table a record feeds. The code is stored on disk: never renumber. */
    public enum Kind {
        SECCOMP(1), SELINUX(2), APPARMOR(3);

        public final int code;

        Kind(int code) {
            this.code = code;
        }

        static Kind of(int code) {
            for (Kind k : values()) if (k.code == code) return k;
            throw new CorruptRecordException("unknown security record kind " + code);
        }
    }

    public SecurityEvent {
        if (names.length != values.length) throw new IllegalArgumentException("names and values differ in length");
    }

    @Override
    public EventType type() {
        return EventType.SECURITY;
    }

    /**
     * A field's value, or null when the record does not have it. The last of a name: a USER_AVC's own fields
     * (inside {@code msg='...'}, such as the subject's pid) win over its sender's.
     */
    public String field(String name) {
        for (int i = names.length - 1; i >= 0; i--) if (names[i].equals(name)) return values[i];
        return null;
    }

    @Override
    public void encode(RecordOutput out) {
        out.writeLong(kernelMillis).writeLong(serial).writeInt(recordType).writeByte(kind.code).writeBytes(text).writeInt(names.length);
        for (int i = 0; i < names.length; i++) out.writeString(names[i]).writeString(values[i]);
    }

    public static SecurityEvent decode(long captureNanos, RecordInput in) {
        long millis = in.readLong(), serial = in.readLong();
        int recordType = in.readInt();
        Kind kind = Kind.of(in.readByte());
        byte[] text = in.readBytes();
        int n = in.readInt();
        // each field takes at least 8 bytes: a damaged count cannot make a huge array
        if (n < 0 || n > in.remaining() / 8) throw new CorruptRecordException("security record: bad field count " + n);
        String[] names = new String[n], values = new String[n];
        for (int i = 0; i < n; i++) {
            names[i] = in.readString();
            values[i] = in.readString();
            if (names[i] == null) throw new CorruptRecordException("security record: field " + i + " has no name");
        }
        return new SecurityEvent(captureNanos, millis, serial, recordType, kind, text, names, values);
    }

    @Override
    public String toString() {
        return "SecurityEvent[" + kind + " type=" + recordType + " fields=" + Arrays.toString(names) + "]";
    }
}
