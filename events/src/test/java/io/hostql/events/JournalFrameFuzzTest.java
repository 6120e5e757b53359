package io.hostql.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzing of journal frame decoding (the bytes of one Chronicle document: version, type, capture time,
 * payload, CRC32C) and of every event type's payload decoder. A damaged record must come back as null
 * (the reader turns it into a loss entry) or a CorruptRecordException from the payload decoder, never
 * another exception, which would stop the subscriber reading that journal. Every event, encoded by the
 * real journal, decodes to itself.
 *
 * <p>Budget: {@code jqwik.tries.default} (src/test/resources/junit-platform.properties; bench/fuzz raises it).
 */
class JournalFrameFuzzTest {
    private static Path dir;
    private static Journal journal;
    private static Journal.Reader reader;

    @BeforeContainer
    static void open() throws Exception {
        dir = Files.createTempDirectory("journal-fuzz");
        journal = Journal.open(dir);
        reader = journal.reader();
    }

    @AfterContainer
    static void close() throws Exception {
        reader.close();
        journal.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    // ---- properties ----------------------------------------------------------------------------

    /** Any bytes: an event or null. */
    @Property
    void anyBytesDecodeToAnEventOrNull(@ForAll("anyBytes") byte[] frame) {
        decodeQuietly(frame);
    }

    /**
     * Frames whose checksum is right around any payload (random, or a real event's mutated): the
     * checksum only guards against damage on disk, so the decoders behind it must not trust the lengths.
     */
    @Property
    void checksummedFramesDecodeToAnEventOfTheirTypeOrNull(@ForAll("checksummedFrames") byte[] frame) {
        Event e = decodeQuietly(frame);
        if (e != null) assertThat(e.type().code).isEqualTo(frame[1] & 0xff);
    }

    /** Each type's payload decoder: an event or a CorruptRecordException, never another exception. */
    @Property
    void payloadDecodersFailOnlyWithCorruptRecord(@ForAll("types") EventType type, @ForAll("payloads") byte[] payload) {
        try {
            Event e = Records.decode(type, 1, payload);
            assertThat(e.type()).isEqualTo(type);
        } catch (CorruptRecordException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    /** Appended by the journal and read back by a reader: the same event (strings as their UTF-8 says). */
    @Property
    void everyEventTypeRoundTripsThroughTheJournal(@ForAll("events") Event event) {
        long index = journal.append(event);
        JournalEntry got;
        do {
            got = reader.next();
            assertThat(got).as("the appended record is readable").isNotNull();
        } while (got.index() < index);
        assertThat(got.index()).isEqualTo(index);
        assertSame(got.event(), asStored(event));
    }

    /** The same through the frame decoder alone, with a frame built as the journal documents it. */
    @Property
    void everyEventTypeRoundTripsThroughItsFrame(@ForAll("events") Event event) {
        RecordOutput out = new RecordOutput();
        event.encode(out);
        Event back = JournalFrame.decode(frame(event.type().code, event.captureNanos(), out.toByteArray()));
        assertSame(back, asStored(event));
    }

    /** Each kind's decoder is the one its constant carries: an empty payload of any kind is corrupt, never decoded as another kind. */
    @Example
    void eachEventTypeCarriesItsOwnDecoderAndAnUnknownCodeIsCorrupt() {
        List<Event> samples = List.of(new FileEvent(7, 1, 2, new byte[] {'/'}, "c", 0),
                new ProcessEvent(7, 1, 2, "execve", true, 0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, null, null, null, new byte[0][], 0, 0,
                        0, 0, 0),
                new SocketEvent(7, 1, 2, "connect", true, 0, 3, 4, 5, 6, 7, 8, 9, null, null, 10, new byte[2], 0),
                new UserEvent(7, 1, 2, 1100, 3, 4, 5, 6, new byte[] {'m'}, null, "a", "t"),
                new HardwareEvent(7, 1, 0, "add", "/devices/x", new byte[0], new byte[0]),
                new SyslogEvent(7, "d", "h", "s", "f", "t", "m"),
                new SecurityEvent(7, 1, 2, 1326, SecurityEvent.Kind.SECCOMP, new byte[] {'s'}, new String[] {"n"}, new String[] {"v"}),
                new AuditRecordsEvent(7, AuditRecordsEvent.COMPLETE, new byte[0]),
                new FileSyscallEvent(7, 1, 2, "openat", true, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, null, null, new long[4], new int[0],
                        new byte[0][], new long[0], -1, -1, 0),
                new LossEvent(7, "audit", 3, "r"), new SystemEvent(7, "m"),
                new LogLineEvent(7, 1, 2, LogLineEvent.Kind.STATUS, new byte[] {'l'}));
        assertThat(samples.stream().map(Event::type)).as("a sample of every kind").containsExactlyInAnyOrder(EventType.values());
        for (Event e : samples) {
            assertThat(EventType.of(e.type().code)).isSameAs(e.type());
            assertSame(Records.decode(e.type(), 7, encode(e)), e);
        }
        assertThat(EventType.of(77)).isNull();
        assertThatThrownBy(() -> Records.decode(EventType.of(77), 1, new byte[0])).isInstanceOf(CorruptRecordException.class)
                .hasMessageContaining("no decoder");
    }

    // ---- regressions: inputs the properties found ---------------------------------------------

    /**
     * Found by payloadDecodersFailOnlyWithCorruptRecord: a length near Integer.MAX_VALUE overflowed RecordInput's bounds
     * check, and copyOfRange asked for a 2 GiB array (OutOfMemoryError, which ends the reading thread).
     */
    @Example
    void aLengthThatOverflowsTheBoundsCheckIsCorrupt() {
        byte[] payload = {0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f};
        RecordInput in = new RecordInput(payload);
        in.readInt();
        assertThatThrownBy(in::readBytes).isInstanceOf(CorruptRecordException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> Records.decode(EventType.FILE, 1, payload)).isInstanceOf(CorruptRecordException.class);
    }

    /**
     * Found by checksummedFramesDecodeToAnEventOfTheirTypeOrNull: a frame with a right checksum whose payload
     * length (5) runs past its end threw CorruptRecordException out of decodeFrame, and so out of Reader.next().
     */
    @Example
    void aChecksummedFrameWithATruncatedPayloadIsNull() {
        byte[] found = {1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, -103, -63, -39, -76};
        assertThat(JournalFrame.decode(found)).isNull();
    }

    /** A process event claiming a million arguments in a few bytes is corrupt, without allocating for them first. */
    @Example
    void aProcessEventWithAnImpossibleArgumentCountIsCorrupt() {
        RecordOutput out = new RecordOutput();
        new ProcessEvent(1, 2, 3, "execve", true, 0, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, null, null, null, new byte[0][], 0, 0, 0,
                0, 0).encode(out);
        byte[] p = out.toByteArray();
        // argv count sits after 2 longs, the syscall string (4+6), a byte, a long, 2 ints, 10 longs and 3 null byte[] (4 each)
        int at = 16 + 10 + 1 + 8 + 8 + 80 + 12;
        p[at] = 0x40;
        p[at + 1] = 0x42;
        p[at + 2] = 0x0f; // 1,000,000
        assertThatThrownBy(() -> Records.decode(EventType.PROCESS, 1, p)).isInstanceOf(CorruptRecordException.class)
                .hasMessageContaining("arguments");
    }

    // ---- generators ----------------------------------------------------------------------------

    @Provide
    Arbitrary<byte[]> anyBytes() {
        return Arbitraries.oneOf(bytes(0, 64), bytes(0, 4096),
                bytes(14, 64).map(b -> {
                    b[0] = 1; // the frame version, so more of them reach the checksum
                    return b;
                }));
    }

    @Provide
    Arbitrary<EventType> types() {
        return Arbitraries.of(Arrays.stream(EventType.values()).toList());
    }

    @Provide
    Arbitrary<byte[]> payloads() {
        return Arbitraries.oneOf(bytes(0, 256), mutated(events().map(JournalFrameFuzzTest::encode)));
    }

    @Provide
    Arbitrary<byte[]> checksummedFrames() {
        Arbitrary<Integer> typeCode = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.of(Arrays.stream(EventType.values()).map(t -> t.code).toList())),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 255)));
        Arbitrary<byte[]> payload = Arbitraries.oneOf(bytes(0, 128),
                mutated(events().map(JournalFrameFuzzTest::encode)));
        Arbitrary<byte[]> frames = Combinators.combine(typeCode, Arbitraries.longs(), payload)
                .as((t, nanos, p) -> frame(t, nanos, p));
        // and damage to the framing itself (its length field, its size), with the checksum made right again
        return Arbitraries.oneOf(frames, mutated(frames).filter(b -> b.length >= 18).map(b -> {
            b[0] = 1;
            return withChecksum(b);
        }));
    }

    @Provide
    Arbitrary<Event> events() {
        return Arbitraries.oneOf(record(FileEvent.class), record(ProcessEvent.class), record(SocketEvent.class), record(UserEvent.class),
                record(HardwareEvent.class), record(LossEvent.class), record(SystemEvent.class));
    }

    /** Any value for each component of an event record, through its canonical constructor. */
    private static Arbitrary<Event> record(Class<? extends Event> type) {
        RecordComponent[] cs = type.getRecordComponents();
        List<Arbitrary<Object>> parts = new ArrayList<>();
        for (RecordComponent c : cs) parts.add(component(c.getType()));
        Constructor<? extends Event> ctor = canonical(type);
        return Combinators.combine(parts).as(values -> construct(ctor, values.toArray()));
    }

    @SuppressWarnings("unchecked")
    private static Arbitrary<Object> component(Class<?> t) {
        Arbitrary<?> a;
        if (t == long.class) a = Arbitraries.longs();
        else if (t == int.class) a = Arbitraries.integers();
        else if (t == boolean.class) a = Arbitraries.of(true, false);
        else if (t == String.class) a = strings().injectNull(0.1);
        else if (t == byte[].class) a = Arbitraries.oneOf(bytes(0, 64), bytes(0, 5000)).injectNull(0.1);
        else if (t == byte[][].class) a = bytes(0, 40).injectNull(0.1).array(byte[][].class).ofMaxSize(20);
        else throw new IllegalArgumentException("no generator for " + t);
        return (Arbitrary<Object>) a;
    }

    /** Any UTF-16, lone surrogates included (the journal stores UTF-8, so those come back as '?'). */
    static Arbitrary<String> strings() {
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(40), Arbitraries.strings().all().ofMaxLength(40),
                Arbitraries.strings().withCharRange('\ud7f0', '\ue010').ofMaxLength(8));
    }

    /**
     * Byte arrays: up to 64 bytes element by element (they shrink to a minimal failing input), longer ones filled
     * at once (jqwik's element-wise generation of kilobytes would take most of the budget).
     */
    static Arbitrary<byte[]> bytes(int min, int max) {
        Arbitrary<byte[]> small = Arbitraries.bytes().array(byte[].class).ofMinSize(min).ofMaxSize(Math.min(max, 64));
        if (max <= 64) return small;
        Arbitrary<byte[]> large = Arbitraries.randomValue(r -> {
            byte[] b = new byte[min + r.nextInt(max - min + 1)];
            r.nextBytes(b);
            return b;
        });
        return Arbitraries.oneOf(small, large);
    }

    /**
     * Valid encodings, damaged: truncated, extended, a byte changed, or a 4-byte field (a length, a count) set to an
     * extreme. Built by combining, not flat-mapping, which keeps generation cheap.
     */
    static Arbitrary<byte[]> mutated(Arbitrary<byte[]> valid) {
        Arbitrary<Integer> extremes = Arbitraries.of(-2, -1, 0x7fffffff, 0x7ffffff0, 0x80000000, 0x40000000, 1_000_000, 65536, 0);
        return Combinators.combine(valid, Arbitraries.integers().between(0, 3), Arbitraries.integers().greaterOrEqual(0), extremes,
                bytes(1, 16)).as(JournalFrameFuzzTest::mutate);
    }

    static byte[] mutate(byte[] valid, int kind, int where, int extreme, byte[] tail) {
        int n = valid.length;
        switch (n == 0 ? 1 : kind) {
            case 0:
                return Arrays.copyOf(valid, where % (n + 1));
            case 1: {
                byte[] b = Arrays.copyOf(valid, n + tail.length);
                System.arraycopy(tail, 0, b, n, tail.length);
                return b;
            }
            case 2: {
                byte[] b = valid.clone();
                for (int k = 0; k < tail.length; k++) b[(where + k * 7919) % n] = tail[k];
                return b;
            }
            default: {
                byte[] b = valid.clone();
                int at = where % n;
                for (int k = 0; k < 4 && at + k < n; k++) b[at + k] = (byte) (extreme >>> (8 * k));
                return b;
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static Event decodeQuietly(byte[] frame) {
        return JournalFrame.decode(frame); // any exception fails the property
    }

    static byte[] encode(Event e) {
        RecordOutput out = new RecordOutput();
        e.encode(out);
        return out.toByteArray();
    }

    /** A frame as the journal lays it out: version 1, type code, capture nanos, payload length, payload, CRC32C (all little-endian). */
    static byte[] frame(int typeCode, long nanos, byte[] payload) {
        RecordOutput out = new RecordOutput();
        out.writeByte(1).writeByte(typeCode).writeLong(nanos).writeBytes(payload).writeInt(0);
        return withChecksum(out.toByteArray());
    }

    static byte[] withChecksum(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b, 0, b.length - 4);
        int v = (int) c.getValue();
        for (int k = 0; k < 4; k++) b[b.length - 4 + k] = (byte) (v >>> (8 * k));
        return b;
    }

    /** The event as the journal stores it: strings as UTF-8 (an unpaired surrogate becomes '?'). */
    private static Event asStored(Event e) {
        RecordComponent[] cs = e.getClass().getRecordComponents();
        Object[] values = new Object[cs.length];
        try {
            for (int i = 0; i < cs.length; i++) {
                Object v = cs[i].getAccessor().invoke(e);
                values[i] = v instanceof String s ? new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8) : v;
            }
        } catch (ReflectiveOperationException ex) {
            throw new IllegalStateException(ex);
        }
        return construct(canonical(e.getClass()), values);
    }

    /** Component by component, arrays by content (AssertJ's recursive comparison is too slow for a fuzz budget). */
    private static void assertSame(Event actual, Event expected) {
        assertThat(actual).isNotNull();
        assertThat(actual.getClass()).isEqualTo(expected.getClass());
        for (RecordComponent c : expected.getClass().getRecordComponents()) {
            try {
                Object a = c.getAccessor().invoke(actual), e = c.getAccessor().invoke(expected);
                if (!java.util.Objects.deepEquals(a, e)) {
                    throw new AssertionError(c.getName() + " differs: " + java.util.Arrays.deepToString(new Object[] {a}) + " instead of "
                            + java.util.Arrays.deepToString(new Object[] {e}));
                }
            } catch (ReflectiveOperationException ex) {
                throw new IllegalStateException(ex);
            }
        }
    }

    private static Constructor<? extends Event> canonical(Class<? extends Event> type) {
        Class<?>[] types = Arrays.stream(type.getRecordComponents()).map(RecordComponent::getType).toArray(Class<?>[]::new);
        try {
            return type.getDeclaredConstructor(types);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Event construct(Constructor<? extends Event> ctor, Object[] values) {
        try {
            return ctor.newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
