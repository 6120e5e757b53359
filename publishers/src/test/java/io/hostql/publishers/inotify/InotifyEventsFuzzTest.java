package io.hostql.publishers.inotify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzing of the decoding of a read(2) of an inotify fd (struct inotify_event: wd, mask, cookie, len, a
 * NUL-padded name). What the kernel writes decodes to exactly its events; anything else (a negative or
 * oversized len, a short tail) stops the decoding without an exception, a loop or a read past the end, and
 * the whole events before it still come out.
 */
class InotifyEventsFuzzTest {
    record Ev(int wd, int mask, int cookie, byte[] name) {
        boolean same(Ev o) {
            return wd == o.wd && mask == o.mask && cookie == o.cookie && Arrays.equals(name, o.name);
        }
    }

    record Read(List<Ev> events, byte[] bytes, int validLength) {}

    @Property
    void kernelReadsDecodeToTheirEventsAndGarbageAfterThemIsSkipped(@ForAll("reads") Read read) {
        List<Ev> got = new ArrayList<>();
        int rest = InotifyEvents.decode(buffer(read.bytes), (wd, mask, cookie, name) -> got.add(new Ev(wd, mask, cookie, name)));
        assertThat(got.size()).isGreaterThanOrEqualTo(read.events.size());
        for (int i = 0; i < read.events.size(); i++) assertThat(got.get(i).same(read.events.get(i))).as("event %d", i).isTrue();
        assertThat(rest).isBetween(0, read.bytes.length - read.validLength);
        if (read.bytes.length == read.validLength) assertThat(rest).isZero();
    }

    @Property
    void anyBytesDecodeWithoutAnException(@ForAll("anyBytes") byte[] bytes) {
        List<Ev> got = new ArrayList<>();
        int rest = InotifyEvents.decode(buffer(bytes), (wd, mask, cookie, name) -> got.add(new Ev(wd, mask, cookie, name)));
        int used = 0;
        for (Ev e : got) {
            if (e.name != null) for (byte b : e.name) assertThat(b).isNotZero();
            used += InotifyEvents.HEADER;
        }
        assertThat(used + rest).isLessThanOrEqualTo(bytes.length);
    }

    // ---- regressions ---------------------------------------------------------------------------

    /**
     * Seen in the loop as it was inside InotifyPublisher.readEvents, when it was taken out to be fuzzed: a len of -16
     * left the offset where it was (an endless loop on the publisher's thread), and a len past the end read beyond the
     * bytes read (stale data, or an IndexOutOfBoundsException at the end of the buffer).
     */
    @Example
    void aNegativeOrOversizedLengthStopsTheDecoding() {
        byte[] b = new byte[32];
        ByteBuffer bb = buffer(b);
        bb.putInt(0, 1).putInt(4, 0x100).putInt(8, 0).putInt(12, -16);
        assertThat(InotifyEvents.decode(bb, (wd, mask, cookie, name) -> { })).isEqualTo(32);
        bb.putInt(12, 17);
        List<Ev> got = new ArrayList<>();
        assertThat(InotifyEvents.decode(bb, (wd, mask, cookie, name) -> got.add(new Ev(wd, mask, cookie, name)))).isEqualTo(32);
        assertThat(got).isEmpty();
    }

    // ---- generators ----------------------------------------------------------------------------

    private static ByteBuffer buffer(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
    }

    @Provide
    Arbitrary<byte[]> anyBytes() {
        return Arbitraries.oneOf(Arbitraries.bytes().array(byte[].class).ofMaxSize(100),
                Combinators.combine(reads(), Arbitraries.integers().greaterOrEqual(0), Arbitraries.of(-1, -16, -17, 0x7fffffff, 16, 1, 4096))
                        .as((r, at, v) -> {
                            // a header field of a kernel read set to an extreme
                            byte[] b = r.bytes.clone();
                            if (b.length >= 4) buffer(b).putInt((at % (b.length / 4)) * 4, v);
                            return b;
                        }));
    }

    @Provide
    Arbitrary<Read> reads() {
        Arbitrary<byte[]> names = Arbitraries.oneOf(Arbitraries.just((byte[]) null),
                Arbitraries.bytes().filter(b -> b != 0).array(byte[].class).ofMinSize(1).ofMaxSize(255));
        Arbitrary<Ev> event = Combinators.combine(Arbitraries.integers(), Arbitraries.integers(), Arbitraries.integers(), names).as(Ev::new);
        Arbitrary<byte[]> tail = Arbitraries.oneOf(Arbitraries.just(new byte[0]), Arbitraries.bytes().array(byte[].class).ofMaxSize(40));
        return Combinators.combine(event.list().ofMaxSize(8), Arbitraries.integers().between(0, 2), tail).as((evs, padding, t) -> {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            for (Ev e : evs) {
                // the kernel pads a name with NULs to a multiple of 16 (at least one NUL); padding 0..2 extra blocks
                int len = e.name == null ? 0 : (e.name.length / 16 + 1 + padding) * 16;
                ByteBuffer h = buffer(new byte[InotifyEvents.HEADER + len]);
                h.putInt(e.wd).putInt(e.mask).putInt(e.cookie).putInt(len);
                if (e.name != null) h.put(e.name);
                out.writeBytes(h.array());
            }
            int valid = out.size();
            out.writeBytes(t);
            return new Read(evs, out.toByteArray(), valid);
        });
    }
}
