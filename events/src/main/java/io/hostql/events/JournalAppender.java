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
    private final RecordOutput payload = new RecordOutput(512);

    JournalAppender(SingleChronicleQueue queue, ExcerptAppender appender, CycleFiles files, JournalHead head, AppendSignal signal) {
        this.queue = queue;
        this.appender = appender;
        this.guard = new StorageGuard(files.dir(), files::path);
        this.head = head;
        this.signal = signal;
    }

    /** The index, or -1 when the record was counted instead of written. */
    long append(Event event) {
        payload.reset();
        event.encode(payload);
        return appendFrame(event.type(), event.captureNanos(), payload.array(), payload.length());
    }

    /** Re-appends a verified frame as it was (salvage keeps type, capture time and payload). */
    long appendRaw(byte[] b) {
        RecordInput in = new RecordInput(Arrays.copyOfRange(b, JournalFrame.NANOS_AT, b.length - JournalFrame.TRAILER));
        long nanos = in.readLong();
        byte[] data = in.readBytes();
        return appendFrame(EventType.of(b[1] & 0xff), nanos, data, data.length);
    }

    /**
     * Writes one frame, or, when the storage cannot take it, counts it (see {@link StorageGuard}). Returns
     * the index, or -1 when the record was counted instead of written.
     */
    private long appendFrame(EventType type, long nanos, byte[] data, int len) {
        if (guard.degraded()) {
            if (!guard.recheck(queue.cycle()) || writeGuarded(EventType.LOSS, guard.lossRecord()) < 0) {
                guard.drop(type, nanos);
                return -1;
            }
            guard.recovered();
        }
        long index = writeGuarded(type, nanos, data, len);
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
        RecordOutput out = new RecordOutput(256);
        loss.encode(out);
        return writeGuarded(type, loss.captureNanos(), out.array(), out.length());
    }

    /** The frame written, or -1 (the guard is now degraded) if the storage is not there for it. */
    private long writeGuarded(EventType type, long nanos, byte[] data, int len) {
        if (!guard.admit(queue.cycle(), JournalFrame.size(len) + 8)) return -1;
        try {
            return write(type, nanos, data, len);
        } catch (InternalError | RuntimeException e) {
            // InternalError: a SIGBUS in a mapped write the guard did not foresee; the others: Chronicle's own I/O failures.
            guard.fault("writing failed: " + e);
            return -1;
        }
    }

    private long write(EventType type, long nanos, byte[] data, int len) {
        Bytes<?> bytes = frame.encode(type, nanos, data, len);
        long end;
        try (DocumentContext dc = appender.writingDocument()) {
            try {
                dc.wire().bytes().write(bytes);
                end = dc.wire().bytes().writePosition();
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
