package io.hostql.events;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention by age and bytes that never deletes what an active consumer has not read: the consumers
 * declare themselves and acknowledge what they durably processed, and only whole cycles before the
 * slowest one's position go.
 */
final class JournalRetention {
    /** The status log names the journal, whichever of its parts speaks. */
    private static final Logger log = LoggerFactory.getLogger(Journal.class);

    private final CycleFiles files;
    private final RollCycle rollCycle;
    /** Each active consumer's last acknowledged index (-1: none yet). */
    private final Map<String, Long> consumers = new ConcurrentHashMap<>();

    JournalRetention(CycleFiles files) {
        this.files = files;
        this.rollCycle = files.rollCycle();
    }

    void register(String consumer) {
        consumers.putIfAbsent(consumer, -1L);
    }

    void unregister(String consumer) {
        consumers.remove(consumer);
    }

    void acknowledge(String consumer, long index) {
        consumers.put(consumer, index);
    }

    /** Each active consumer's last acknowledged index, by name. */
    Map<String, Long> acknowledged() {
        return new java.util.TreeMap<>(consumers);
    }

    /**
     * Deletes whole cycles older than maxAgeMillis (at nowMillis, the queue's clock), then oldest cycles while the
     * journal is over maxBytes; never the current cycle, nor any cycle an active consumer has not finished.
     * Returns the number of cycle files deleted.
     */
    int apply(SingleChronicleQueue queue, long nowMillis, long maxAgeMillis, long maxBytes) {
        int current = queue.cycle();
        int protectFrom = current;
        for (long pos : consumers.values()) {
            if (pos < 0) return 0; // a consumer has not reported its position yet
            protectFrom = Math.min(protectFrom, rollCycle.toCycle(pos));
        }
        List<Path> candidates = new ArrayList<>();
        long total = 0;
        for (long c : queue.listCyclesBetween(queue.firstCycle(), queue.lastCycle())) {
            Path f = files.path((int) c);
            long size = CycleFiles.sizeOf(f);
            total += size;
            if (c < protectFrom) candidates.add(f);
        }
        int deleted = 0;
        for (Path f : candidates) {
            int cycle = files.cycleOf(f);
            long cycleEnd = (long) (cycle + 1) * rollCycle.lengthInMillis();
            boolean tooOld = maxAgeMillis > 0 && nowMillis - cycleEnd > maxAgeMillis;
            boolean tooBig = maxBytes > 0 && total > maxBytes;
            if (!tooOld && !tooBig) break;
            long size = CycleFiles.sizeOf(f);
            try {
                Files.deleteIfExists(f);
                total -= size;
                deleted++;
                log.info("journal retention removed {} ({} bytes, {})", f.getFileName(), size, tooOld ? "expired" : "over size cap");
            } catch (IOException e) {
                log.warn("journal retention could not remove {}: {}", f, e.getMessage());
            }
        }
        if (deleted > 0) queue.refreshDirectoryListing();
        return deleted;
    }
}
