package io.hostql.publishers.inotify;

import java.nio.ByteBuffer;

/**
 * The {@code struct inotify_event} records of one read(2): wd, mask, cookie, len (4 bytes each, host order),
 * then len bytes of name, NUL-padded. The kernel never splits a record across reads, but a length that runs
 * past the end (or is negative) must stop the decoding, not loop or read beyond what was read.
 */
final class InotifyEvents {
    static final int HEADER = 16;

    /** Receives each event; name is null when the event has none (it is about the watched directory itself). */
    interface Handler {
        void event(int wd, int mask, int cookie, byte[] name);
    }

    private InotifyEvents() {}

    /**
     * Hands each whole record in buf (from its position to its limit, in host byte order) to the handler, in order.
     * Returns how many bytes at the end are not a whole record: 0 for what the kernel writes.
     */
    static int decode(ByteBuffer buf, Handler handler) {
        int off = buf.position(), end = buf.limit();
        while (end - off >= HEADER) {
            int wd = buf.getInt(off), mask = buf.getInt(off + 4), cookie = buf.getInt(off + 8), len = buf.getInt(off + 12);
            if (len < 0 || len > end - off - HEADER) break;
            byte[] name = null;
            if (len > 0) {
                int l = 0;
                while (l < len && buf.get(off + HEADER + l) != 0) l++;
                name = new byte[l];
                buf.get(off + HEADER, name);
            }
            off += HEADER + len;
            handler.event(wd, mask, cookie, name);
        }
        return end - off;
    }
}
