package io.hostql.events;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies every record of a damaged cycle file that still passes its checksum into the fresh journal. It scans
 * the file's raw bytes for Chronicle document headers followed by a frame whose CRC verifies, so it reaches
 * records past a hole that Chronicle itself can no longer read.
 */
final class DamagedFileSalvage {
    /** The status log names the journal, whichever of its parts speaks. */
    private static final Logger log = LoggerFactory.getLogger(Journal.class);
    /** A Chronicle document header: the length in the low 30 bits; the top two set for metadata or a header being written. */
    private static final int LENGTH_MASK = 0x3fffffff, NOT_DATA = 0xc0000000;

    private DamagedFileSalvage() {}

    /** What salvage copied: records, those captured after the slowest consumer's position, and why it stopped early (or null). */
    record Salvaged(long records, long afterSlowest, String failure) {}

    static Salvaged salvage(Path damagedFile, Journal.Committed slowest, JournalAppender out) {
        long salvaged = 0, after = 0;
        int header = JournalFrame.HEADER, trailer = JournalFrame.TRAILER;
        try (FileChannel ch = FileChannel.open(damagedFile)) {
            long size = ch.size();
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            m.order(ByteOrder.LITTLE_ENDIAN);
            for (long off = 0; off + 4 + header + trailer <= size; ) {
                int document = m.getInt((int) off);
                int len = document & LENGTH_MASK;
                boolean data = (document & NOT_DATA) == 0;
                if (data && len >= header + trailer && off + 4 + len <= size && m.get((int) off + 4) == JournalFrame.VERSION) {
                    int frameLen = JournalFrame.size(m.getInt((int) off + 4 + JournalFrame.LENGTH_AT));
                    if (frameLen > 0 && frameLen <= len) {
                        byte[] b = new byte[frameLen];
                        m.get((int) off + 4, b);
                        Event e = JournalFrame.decode(b);
                        if (e != null) {
                            out.appendRaw(b);
                            salvaged++;
                            if (slowest != null && e.captureNanos() > slowest.captureNanos()) after++;
                            off += 4 + ((len + 3) & ~3);
                            continue;
                        }
                    }
                }
                off += 4;
            }
        } catch (IOException | RuntimeException e) {
            log.warn("could not salvage records from {}: {}", damagedFile, e.toString());
            return new Salvaged(salvaged, after, e.toString());
        }
        return new Salvaged(salvaged, after, null);
    }
}
