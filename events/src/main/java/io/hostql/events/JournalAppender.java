package io.hostql.events;

import com.sun.jna.Native;
import io.hostql.os.Libc;
import java.util.Arrays;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The journal's write side: frames each event, writes it to Chronicle through the {@link StorageGuard}, records
 * it in the head and signals the readers. Never throws because of a storage fault, so no publisher thread dies
 * of a full or read-only disk: what cannot be written is counted, and the gap becomes one loss record.
 *
 * <p>Not thread-safe: {@link Journal} serialises its callers (publishers append from their own threads).
 */
final class JournalAppender {
    /** How far ahead of the writes the file's pages are faulted in: within the guard's {@link StorageGuard} slack. */
    private static final long POPULATE = 256L << 10;
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final StorageGuard guard;
    private final JournalHead head;
    private final AppendSignal signal;
    private final JournalFrame frame = new JournalFrame();
    /** Loss records are framed apart: the one for a blind period is written while an event's frame waits in {@link #frame}. */
    private final JournalFrame lossFrame = new JournalFrame();
    /** The cycle and file offset up to which the file's pages were faulted in ahead of the writes ({@link #populateAhead}). */
    private int populatedCycle = Integer.MIN_VALUE;
    private long populatedTo;
    /** The next populate starts once the writes are this close to {@link #populatedTo} (0 at a mapping's end: when they pass it). */
    private long populateMargin;
    private boolean populate = true;

    JournalAppender(SingleChronicleQueue queue, ExcerptAppender appender, CycleFiles files, JournalHead head, AppendSignal signal) {
        this.queue = queue;
        this.appender = appender;
        this.guard = new StorageGuard(files.dir(), files::path);
        this.head = head;
        this.signal = signal;
    }

    /** The index, or -1 when the record was counted instead of written. */
    long append(Event event) {
        event.encode(frame.begin(event.type(), event.captureNanos()));
        return appendFrame(event.type(), event.captureNanos(), frame.seal());
    }

    /** Re-appends a verified frame as it was (salvage keeps type, capture time and payload). */
    long appendRaw(byte[] b) {
        RecordInput in = new RecordInput(Arrays.copyOfRange(b, JournalFrame.NANOS_AT, b.length - JournalFrame.TRAILER));
        long nanos = in.readLong();
        byte[] data = in.readBytes();
        EventType type = EventType.of(b[1] & 0xff);
        return appendFrame(type, nanos, frame.encode(type, nanos, data, data.length));
    }

    /**
     * Writes one frame (of this type and capture time), or, when the storage cannot take it, counts it (see {@link StorageGuard}). Returns
     * the index, or -1 when the record was counted instead of written. A frame over one document is refused first: Chronicle would fail
     * the write, and the guard would take that for the disk failing.
     */
    private long appendFrame(EventType type, long nanos, RecordOutput framed) {
        if (framed.length() > Journal.MAX_DOCUMENT_BYTES) throw new RecordTooLargeException(type, framed.length() - JournalFrame.size(0));
        if (guard.degraded()) {
            if (!guard.recheck(queue.cycle()) || writeGuarded(EventType.LOSS, guard.lossRecord()) < 0) {
                guard.drop(type, nanos);
                return -1;
            }
            guard.recovered();
        }
        long index = writeGuarded(type, nanos, framed);
        if (index < 0) guard.drop(type, nanos);
        return index;
    }

    /**
     * While the journal is degraded: checks whether it can write again and, if so, writes the loss
     * record for the blind period. Called periodically, so the gap is closed even when no event comes.
     */
    void recheckStorage() {
        if (!guard.degraded()) return;
        if (guard.recheck(queue.cycle()) && writeGuarded(EventType.LOSS, guard.lossRecord()) >= 0) guard.recovered();
    }

    StorageStatus storageStatus() {
        return guard.status();
    }

    private long writeGuarded(EventType type, LossEvent loss) {
        loss.encode(lossFrame.begin(type, loss.captureNanos()));
        return writeGuarded(type, loss.captureNanos(), lossFrame.seal());
    }

    /** The frame written, or -1 (the guard is now degraded) if the storage is not there for it. */
    private long writeGuarded(EventType type, long nanos, RecordOutput framed) {
        if (!guard.admit(queue.cycle(), framed.length() + 8)) return -1;
        try {
            return write(type, nanos, framed);
        } catch (InternalError | RuntimeException e) {
            // InternalError: a SIGBUS in a mapped write the guard did not foresee; the others: Chronicle's own I/O failures.
            guard.fault("writing failed: " + e);
            return -1;
        }
    }

    /** The frame's bytes into a new document, copied with one call (JournalAppenderTest: across the mapped file's chunks and cycles). */
    private long write(EventType type, long nanos, RecordOutput framed) {
        long end;
        try (DocumentContext dc = appender.writingDocument()) {
            try {
                Bytes<?> document = dc.wire().bytes();
                document.write(framed.array(), 0, framed.length());
                end = document.writePosition();
                populateAhead(document, end);
            } catch (Throwable t) {
                // Undo the header, so that a half-written record does not become a hole that stops every reader.
                dc.rollbackOnClose();
                throw t;
            }
        }
        guard.written(appender.cycle(), end);
        signal.appended(type);
        long index = appender.lastIndexAppended();
        head.appended(index, nanos);
        return index;
    }

    /**
     * Faults the file's next pages in for writing, {@link #POPULATE} bytes at a time in one madvise, before the appends
     * reach them: otherwise the first write to each 4 KiB page takes a page fault, and on this kind of VM the faults
     * were a quarter of an audit event's append (about 12 events per page; issue 15). Stays within the space the guard
     * has reserved ahead of the writes ({@link StorageGuard}); a failure only means the writes fault pages themselves.
     */
    private void populateAhead(Bytes<?> document, long end) {
        int cycle = appender.cycle();
        if (!populate || cycle == populatedCycle && end < populatedTo - populateMargin) return;
        long address = document.addressForWrite(end);
        long limit = document.bytesStore().safeLimit();
        long from = end & ~4095L, to = Math.min(end + POPULATE, limit);
        populatedCycle = cycle;
        populatedTo = to;
        populateMargin = to == limit ? 0 : POPULATE / 2;
        if (to <= end) return;
        if (Libc.madvise(address - (end - from), to - from, Libc.MADV_POPULATE_WRITE) != 0 && Native.getLastError() == Libc.EINVAL) {
            populate = false; // a kernel before 5.14
        }
    }

    /** Closes the Chronicle appender and the guard's file (the queue is the journal's). */
    void close() {
        try {
            appender.close();
        } finally {
            guard.close();
        }
    }
}
