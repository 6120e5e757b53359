package io.hostql.events;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The journal's head (its last record: index and capture time) and how far each active consumer's acknowledged
 * position is behind it: in records, and in capture time. Measured against the head, not against the other
 * consumers, so a pipeline that stalls as a whole shows its lag.
 */
public record JournalLag(long headIndex, long headCaptureNanos, List<Consumer> consumers) {
    /** A consumer's acknowledged index (-1: none yet), the records after it, and how much older (capture time) its position is than the head. */
    public record Consumer(String name, long index, long records, long seconds) {}

    static JournalLag measure(SingleChronicleQueue queue, Map<String, Long> acknowledged) {
        long head = queue.lastIndex();
        List<Consumer> out = new ArrayList<>();
        if (head < 0) {
            acknowledged.forEach((name, index) -> out.add(new Consumer(name, index, 0, 0)));
            return new JournalLag(-1, 0, List.copyOf(out));
        }
        try (ExcerptTailer tailer = queue.createTailer()) {
            long headNanos = captureNanos(tailer, head);
            long first = queue.firstIndex();
            acknowledged.forEach((name, index) -> {
                long records;
                long since; // the index of the oldest record not acknowledged
                if (index >= head) {
                    records = 0;
                    since = head;
                } else if (index < first) { // none yet, or its cycle is gone: everything the journal holds
                    records = queue.countExcerpts(first, head) + 1;
                    since = first;
                } else {
                    records = queue.countExcerpts(index, head); // as many as (index, head]
                    since = index;
                }
                long sinceNanos = records == 0 ? -1 : captureNanos(tailer, since);
                long seconds = headNanos < 0 || sinceNanos < 0 ? 0 : Math.max(0, (headNanos - sinceNanos) / 1_000_000_000L);
                out.add(new Consumer(name, index, records, seconds));
            });
            return new JournalLag(head, headNanos, List.copyOf(out));
        }
    }

    /** The record's capture time, or -1 when it cannot be read (then the span shows as 0 s, not as a guess). */
    private static long captureNanos(ExcerptTailer tailer, long index) {
        if (!tailer.moveToIndex(index)) return -1;
        try (DocumentContext dc = tailer.readingDocument()) {
            Long nanos = dc.isPresent() ? JournalFrame.captureNanos(dc.wire().bytes()) : null;
            return nanos == null ? -1 : nanos;
        }
    }
}
