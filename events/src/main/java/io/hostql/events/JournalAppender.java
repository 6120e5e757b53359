package io.hostql.events;

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
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final StorageGuard guard;
    private final JournalHead head;
    private final AppendSignal signal;
    private final JournalFrame frame = new JournalFrame();
    /** Loss records are framed apart: the one for a blind period is written while an event's frame waits in {@link #frame}. */
    private final JournalFrame lossFrame = new JournalFrame();

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
     * the index, or -1 when the record was counted instead of written.
     */
    private long appendFrame(EventType type, long nanos, RecordOutput framed) {
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

    /** The frame's bytes into a new document, in one bulk copy (JournalAppenderTest: across the mapped file's chunks and cycles). */
    private long write(EventType type, long nanos, RecordOutput framed) {
        long end;
        try (DocumentContext dc = appender.writingDocument()) {
            try {
                Bytes<?> document = dc.wire().bytes();
                document.write(framed.array(), 0, framed.length());
                end = document.writePosition();
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

    /** Closes the Chronicle appender and the guard's file (the queue is the journal's). */
    void close() {
        try {
            appender.close();
        } finally {
            guard.close();
        }
    }
}
