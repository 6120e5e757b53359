package io.hostql.events;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Reads what {@link RecordOutput} wrote; a short or malformed record throws {@link CorruptRecordException}. */
public final class RecordInput {
    private final byte[] buf;
    private int pos;

    public RecordInput(byte[] buf) {
        this.buf = buf;
    }

    private void need(int n) {
        // not pos + n > length: a length near 2^31 from a damaged record would overflow past the check
        if (n < 0 || n > buf.length - pos) throw new CorruptRecordException("record truncated at byte " + pos);
    }

    public int readByte() {
        need(1);
        return buf[pos++] & 0xff;
    }

    public int readInt() {
        need(4);
        int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16 | (buf[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    public long readLong() {
        long lo = readInt() & 0xffffffffL;
        long hi = readInt() & 0xffffffffL;
        return lo | hi << 32;
    }

    public byte[] readBytes() {
        int n = readInt();
        if (n == -1) return null;
        need(n);
        byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return b;
    }

    public String readString() {
        byte[] b = readBytes();
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /** Bytes not read yet. */
    public int remaining() {
        return buf.length - pos;
    }

    public boolean hasMore() {
        return pos < buf.length;
    }
}
