package io.hostql.events;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code journal/head}: the index and capture time of the last record appended, kept in a mapped page
 * (written with every append, at the cost of two stores) so that recovery notices a cycle file that
 * lost its tail, or a whole file that is gone.
 */
final class JournalHead {
    private final MappedByteBuffer page;

    private JournalHead(MappedByteBuffer page) {
        this.page = page;
    }

    static JournalHead map(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir.resolve("head"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            return new JournalHead(ch.map(FileChannel.MapMode.READ_WRITE, 0, 16));
        }
    }

    /** The last index appended (0 for a new journal: nothing to check). */
    long index() {
        return page.getLong(0);
    }

    long captureNanos() {
        return page.getLong(8);
    }

    void appended(long index, long captureNanos) {
        page.putLong(0, index);
        page.putLong(8, captureNanos);
    }
}
