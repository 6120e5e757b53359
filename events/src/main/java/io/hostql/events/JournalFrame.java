package io.hostql.events;

import java.util.Arrays;
import java.util.Set;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;

/**
 * hostql's framing of one journal record inside a Chronicle document, because Chronicle has no checksums:
 * {@code [version u8][type u8][captureNanos i64][length i32][payload][crc32c i32]}, little-endian.
 *
 * <p>An instance encodes (it reuses its buffer and checksum: one per appender, not thread-safe); decoding is
 * static and never throws for damaged bytes.
 */
final class JournalFrame {
    static final int VERSION = 1;
    static final int HEADER = 1 + 1 + 8 + 4, TRAILER = 4;
    /** Where the capture time sits in a frame. */
    static final int NANOS_AT = 2;
    /** Where the payload length sits in a frame. */
    static final int LENGTH_AT = 10;

    /**
     * The frame being built, on the heap: the appender writes it into the mapped queue with one bulk copy. An on-heap
     * Chronicle Bytes here was copied into the queue 8 bytes at a time, with a bounds check per long (C1 does not inline
     * them): 15% of the audit reader's CPU at 50,000 events/s (issue 15).
     */
    private final RecordOutput frame = new RecordOutput(1024);
    private final CRC32C crc = new CRC32C();

    /**
     * Starts a frame of this type and capture time, and returns its buffer: the caller writes the payload into it
     * (an event encodes itself straight there, with no copy of its own) and then calls {@link #seal()}.
     */
    RecordOutput begin(EventType type, long nanos) {
        return frame.reset().writeByte(VERSION).writeByte(type.code).writeLong(nanos).writeInt(0);
    }

    /** Ends the frame begun last: its payload length and checksum. Its bytes are valid until the next {@link #begin}. */
    RecordOutput seal() {
        frame.putInt(LENGTH_AT, frame.length() - HEADER);
        crc.reset();
        crc.update(frame.array(), 0, frame.length());
        return frame.writeInt((int) crc.getValue());
    }

    /** The frame of one record, checksummed; valid until the next call. */
    RecordOutput encode(EventType type, long nanos, byte[] data, int len) {
        begin(type, nanos).write(data, 0, len);
        return seal();
    }

    /** The bytes a frame of this payload length takes. */
    static int size(int payloadLength) {
        return HEADER + payloadLength + TRAILER;
    }

    /** Bytes of one frame, checked: null if it fails its checksum or its framing. */
    static Event decode(byte[] b) {
        return decode(b, null);
    }

    /**
     * As {@link #decode(byte[])}, but a checked record of a type not in {@code types} (null: all) comes back
     * as a {@link SkippedEvent}, without the cost of decoding its payload.
     */
    static Event decode(byte[] b, Set<EventType> types) {
        if (!verified(b)) return null;
        EventType type = EventType.of(b[1] & 0xff);
        if (type != null && types != null && !types.contains(type)) return new SkippedEvent(captureNanos(b), type);
        try {
            // the checksum only proves the bytes are as written: the framing inside must still be checked (read in
            // place: a copy of the frame first was one more copy of every record, issue 15)
            int len = intAt(b, LENGTH_AT);
            if (type == null || len < 0 || len > b.length - HEADER - TRAILER) return null;
            return Records.decode(type, captureNanos(b), Arrays.copyOfRange(b, HEADER, HEADER + len));
        } catch (CorruptRecordException e) {
            return null;
        }
    }

    /**
     * A record of a type not in {@code types}, read in place from a Chronicle document: a {@link SkippedEvent} when its
     * header is a frame's (version, a known type, a length that fills the document), else null (decode it). Its payload is
     * neither copied nor checksummed: the reader of its type checks it and reports damage. Copying and checksumming
     * an exec's 1.5 KB record cost a subscriber of other types several microseconds (C1-compiled, measured), paid on
     * each audit record by the file, hardware and loss subscribers (issue 15).
     */
    static SkippedEvent skipped(Bytes<?> document, Set<EventType> types) {
        long at = document.readPosition(), n = document.readRemaining();
        if (n < HEADER + TRAILER || (document.readUnsignedByte(at) & 0xff) != VERSION) return null;
        EventType type = EventType.of(document.readUnsignedByte(at + 1) & 0xff);
        if (type == null || types.contains(type)) return null;
        int len = document.readInt(at + LENGTH_AT);
        if (len < 0 || size(len) != n) return null;
        return new SkippedEvent(document.readLong(at + NANOS_AT), type);
    }

    /** Whether these bytes have a frame's version and pass its checksum. */
    static boolean verified(byte[] b) {
        if (b.length < HEADER + TRAILER || (b[0] & 0xff) != VERSION) return false;
        CRC32C c = new CRC32C();
        c.update(b, 0, b.length - TRAILER);
        return (int) c.getValue() == intAt(b, b.length - TRAILER);
    }

    /** The little-endian int at b[at] (a frame's fields are written so). */
    private static int intAt(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    /** The capture time of a frame (its bytes are not checked). */
    static long captureNanos(byte[] b) {
        long nanos = 0;
        for (int i = NANOS_AT + 7; i >= NANOS_AT; i--) nanos = nanos << 8 | (b[i] & 0xff);
        return nanos;
    }

    /** The capture time of the frame at the read position of a Chronicle document, or null if it is too short for one. */
    static Long captureNanos(Bytes<?> document) {
        if (document.readRemaining() < HEADER) return null;
        return document.readLong(document.readPosition() + NANOS_AT);
    }
}
