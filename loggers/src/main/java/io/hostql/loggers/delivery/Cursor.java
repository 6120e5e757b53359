package io.hostql.loggers.delivery;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A sink's position in the outbox: the last line it had acknowledged (journal index and capture time,
 * so a recovered outbox that reuses an index is noticed), its sequence number and byte offset, and
 * the sink's running totals. Saved as one small text file per sink, written aside, fsync'd and
 * renamed, so a crash leaves the old position or the new one, never a torn one.
 */
record Cursor(long index, long captureNanos, long seq, long bytesEnd, long delivered, long dropped) {
    static final Cursor START = new Cursor(-1, 0, 0, 0, 0, 0);

    static Cursor load(Path file) throws IOException {
        String[] f = Files.readString(file, StandardCharsets.UTF_8).strip().split(" ");
        if (f.length != 6) throw new IOException("malformed logger cursor " + file + ": expected 6 numbers");
        try {
            return new Cursor(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                    Long.parseLong(f[4]), Long.parseLong(f[5]));
        } catch (NumberFormatException e) {
            throw new IOException("malformed logger cursor " + file + ": " + e.getMessage(), e);
        }
    }

    void save(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        byte[] text = (index + " " + captureNanos + " " + seq + " " + bytesEnd + " " + delivered + " " + dropped + "\n")
                .getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(text));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
