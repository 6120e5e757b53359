package io.hostql.events;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable little buffer for encoding records: fixed ints, length-prefixed bytes (paths stay raw bytes). */
public final class RecordOutput {
    private byte[] buf;
    private int len;

    public RecordOutput() {
        this(256);
    }

    public RecordOutput(int capacity) {
        buf = new byte[capacity];
    }

    public RecordOutput reset() {
        len = 0;
        return this;
    }

    private void ensure(int n) {
        if (len + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }

    public RecordOutput writeByte(int v) {
        ensure(1);
        buf[len++] = (byte) v;
        return this;
    }

    public RecordOutput writeInt(int v) {
        ensure(4);
        buf[len++] = (byte) v;
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) (v >>> 16);
        buf[len++] = (byte) (v >>> 24);
        return this;
    }

    public RecordOutput writeLong(long v) {
        writeInt((int) v);
        return writeInt((int) (v >>> 32));
    }

    /** Raw bytes with a length prefix; null is length -1. */
    public RecordOutput writeBytes(byte[] b) {
        if (b == null) return writeInt(-1);
        writeInt(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
        return this;
    }

    /** Raw bytes, without a length prefix. */
    public RecordOutput write(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
        return this;
    }

    /** Overwrites the int at {@code at} (already written): a length known only once what follows it is written. */
    public RecordOutput putInt(int at, int v) {
        if (at < 0 || at + 4 > len) throw new IndexOutOfBoundsException("putInt at " + at + " of " + len + " bytes written");
        buf[at] = (byte) v;
        buf[at + 1] = (byte) (v >>> 8);
        buf[at + 2] = (byte) (v >>> 16);
        buf[at + 3] = (byte) (v >>> 24);
        return this;
    }

    public RecordOutput writeString(String s) {
        return writeBytes(s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    public byte[] array() {
        return buf;
    }

    public int length() {
        return len;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }
}
