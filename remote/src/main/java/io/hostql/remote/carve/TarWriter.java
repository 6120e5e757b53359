package io.hostql.remote.carve;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A POSIX tar archive (ustar, with a pax extended header for what ustar cannot hold: a name over its
 * 100 + 155 bytes, a size of 8 GiB or more), as osquery's carver writes with libarchive's
 * pax_restricted format. Written here rather than with a library: the carver needs regular files
 * only, and this is the whole of it. Entry names are the files' absolute paths without the leading
 * '/', as tar stores them, so two files of the same name in different directories stay apart.
 */
final class TarWriter implements AutoCloseable {
    private static final int BLOCK = 512;
    /** tar's default record (20 blocks): libarchive and GNU tar pad the archive to it. */
    private static final int RECORD = 20 * BLOCK;
    private static final long USTAR_MAX_SIZE = 077777777777L;

    private final OutputStream out;
    private long written;
    private int paxCount;

    TarWriter(OutputStream out) {
        this.out = out;
    }

    /** One regular file: its header, then exactly {@code size} bytes of content (zeros if the file shrank meanwhile). */
    void addFile(String name, int mode, long uid, long gid, long mtime, long size, InputStream content) throws IOException {
        byte[] path = name.getBytes(StandardCharsets.UTF_8);
        byte[] prefix = new byte[0], shortName = path;
        boolean pax = size > USTAR_MAX_SIZE;
        if (path.length > 100) {
            int split = splitPoint(path);
            if (split < 0) {
                pax = true;
                shortName = Arrays.copyOfRange(path, Math.max(0, path.length - 99), path.length);
            } else {
                prefix = Arrays.copyOfRange(path, 0, split);
                shortName = Arrays.copyOfRange(path, split + 1, path.length);
            }
        }
        if (pax) {
            byte[] records = (record("path", name) + (size > USTAR_MAX_SIZE ? record("size", Long.toString(size)) : ""))
                    .getBytes(StandardCharsets.UTF_8);
            byte[] paxName = ("PaxHeaders." + (++paxCount)).getBytes(StandardCharsets.UTF_8);
            writeBlock(header(paxName, new byte[0], 0644, 0, 0, mtime, records.length, (byte) 'x'));
            writeAll(records);
            pad(records.length);
        }
        writeBlock(header(shortName, prefix, mode, uid, gid, mtime, Math.min(size, USTAR_MAX_SIZE), (byte) '0'));
        byte[] buf = new byte[64 * 1024];
        long left = size;
        while (left > 0) {
            int n = content.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) break;
            out.write(buf, 0, n);
            written += n;
            left -= n;
        }
        while (left > 0) { // the file is shorter than when it was stat'd: the header's size still holds
            int n = (int) Math.min(buf.length, left);
            Arrays.fill(buf, 0, n, (byte) 0);
            out.write(buf, 0, n);
            written += n;
            left -= n;
        }
        pad(size);
    }

    /** Where to cut a long name into ustar's prefix (≤155) and name (≤100): at a '/', or -1. */
    private static int splitPoint(byte[] path) {
        for (int i = Math.min(path.length - 1, 155); i > 0; i--) {
            if (path[i] == '/' && path.length - i - 1 <= 100 && path.length - i - 1 > 0) return i;
        }
        return -1;
    }

    /** A pax record: "<length> <key>=<value>\n", the length counting itself. */
    private static String record(String key, String value) {
        int body = (" " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8).length;
        int len = body + Integer.toString(body).length();
        if (Integer.toString(len).length() != Integer.toString(body).length()) len++;
        return len + " " + key + "=" + value + "\n";
    }

    private static byte[] header(byte[] name, byte[] prefix, int mode, long uid, long gid, long mtime, long size, byte type) {
        byte[] h = new byte[BLOCK];
        System.arraycopy(name, 0, h, 0, Math.min(100, name.length));
        octal(h, 100, 8, mode & 07777);
        octal(h, 108, 8, uid > 07777777 ? 0 : uid);
        octal(h, 116, 8, gid > 07777777 ? 0 : gid);
        octal(h, 124, 12, size);
        octal(h, 136, 12, Math.max(0, Math.min(mtime, 077777777777L)));
        Arrays.fill(h, 148, 156, (byte) ' ');
        h[156] = type;
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        System.arraycopy(prefix, 0, h, 345, Math.min(155, prefix.length));
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        octal(h, 148, 7, sum);
        h[155] = ' ';
        return h;
    }

    /** A number as zero-padded octal digits filling the field, NUL-terminated. */
    private static void octal(byte[] h, int off, int len, long v) {
        String s = Long.toOctalString(v);
        int digits = len - 1;
        for (int i = 0; i < digits; i++) {
            int j = s.length() - digits + i;
            h[off + i] = (byte) (j < 0 ? '0' : s.charAt(j));
        }
        h[off + digits] = 0;
    }

    private void writeBlock(byte[] b) throws IOException {
        writeAll(b);
    }

    private void writeAll(byte[] b) throws IOException {
        out.write(b);
        written += b.length;
    }

    private void pad(long size) throws IOException {
        int rest = (int) (size % BLOCK);
        if (rest != 0) writeAll(new byte[BLOCK - rest]);
    }

    /** The end: two zero blocks, then zeros to a whole record. */
    @Override
    public void close() throws IOException {
        writeAll(new byte[2 * BLOCK]);
        int rest = (int) (written % RECORD);
        if (rest != 0) writeAll(new byte[RECORD - rest]);
        out.flush();
    }
}
