package io.hostql.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * {@code <database_path>/hostqld.status}: the daemon's storage state now ("journal: ok", or degraded
 * since when, why and how many events are not captured), read by {@code hostqlctl status}.
 *
 * <p>Why a file of its own, and this way: while the data dir is full, neither the journal nor events.db
 * can take the news that they are full. This file is allocated once at start ({@link #SIZE} bytes, written
 * out) and then only overwritten in place with {@code pwrite}: an overwrite of blocks that exist needs no
 * new ones, so it works on a full disk. The loss record with the exact count follows in
 * hostql_event_losses once space returns.
 */
final class StorageStatusFile implements AutoCloseable {
    static final String NAME = "hostqld.status";
    static final int SIZE = 2048;
    private final Path file;
    private FileChannel channel;
    private String last;

    StorageStatusFile(Path dataDir) {
        this.file = dataDir.resolve(NAME);
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
            write("starting");
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(StorageStatusFile.class).warn("cannot create {}: {}; hostqlctl status cannot show the storage state",
                    file, e.getMessage());
            channel = null;
        }
    }

    /** Overwrites the state with these lines (written only when they change). */
    synchronized void write(String text) {
        if (channel == null || text.equals(last)) return;
        byte[] b = Arrays.copyOf(text.getBytes(StandardCharsets.UTF_8), SIZE);
        // Pad with newlines, so the file reads as the lines followed by blank ones; cut a long text at SIZE.
        for (int i = Math.min(text.getBytes(StandardCharsets.UTF_8).length, SIZE - 1); i < SIZE; i++) b[i] = '\n';
        try {
            ByteBuffer buf = ByteBuffer.wrap(b);
            for (long pos = 0; buf.hasRemaining(); ) pos += channel.write(buf, pos);
            last = text;
        } catch (IOException e) {
            // The state could not be told: the next pass tries again (last stays as it was).
        }
    }

    @Override
    public synchronized void close() {
        write("stopped");
        try {
            if (channel != null) channel.close();
        } catch (IOException ignored) {
            // nothing more to tell
        }
        channel = null;
    }
}
