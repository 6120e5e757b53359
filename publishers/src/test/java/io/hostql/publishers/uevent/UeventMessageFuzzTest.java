package io.hostql.publishers.uevent;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.events.HardwareEvent;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzing of uevent decoding, both wire formats: the kernel's ({@code ACTION@DEVPATH\0KEY=VALUE\0...}) and
 * systemd-udevd's ("libudev" header, then the properties). Any datagram is a message or a
 * MalformedException (a counted, logged reject), never another exception on the publisher's thread. Well-formed
 * messages with any property bytes decode to what was sent; captured real datagrams, damaged, never throw.
 */
class UeventMessageFuzzTest {
    private static final List<byte[]> CAPTURED = new ArrayList<>();

    static {
        for (String f : List.of("kernel-add-bdi-7-57.bin", "kernel-add-loop57.bin", "kernel-change-lo.bin", "kernel-remove-loop57.bin",
                "udev-add-loop57.bin", "udev-change-lo.bin")) {
            try (InputStream in = UeventMessageFuzzTest.class.getResourceAsStream(f)) {
                CAPTURED.add(in.readAllBytes());
            } catch (Exception e) {
                throw new IllegalStateException("missing test resource " + f, e);
            }
        }
    }

    record Sent(boolean udev, String action, String devpath, Map<String, byte[]> more, byte[] datagram) {}

    @Property
    void anyDatagramIsAMessageOrMalformed(@ForAll("datagrams") byte[] b, @ForAll("cuts") int cut) {
        int len = b.length == 0 ? 0 : b.length - cut % (b.length + 1);
        try {
            UeventMessage m = UeventMessage.decode(b, len);
            assertThat(m.action()).isNotEmpty();
            assertThat(m.devpath()).startsWith("/");
            m.property("SEQNUM");
            m.property("DEVTYPE");
            HardwareEvent.toMap(m.properties());
        } catch (UeventMessage.MalformedException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Property
    void wellFormedMessagesDecodeToWhatWasSent(@ForAll("wellFormed") Sent s) throws Exception {
        UeventMessage m = UeventMessage.decode(s.datagram, s.datagram.length);
        assertThat(m.source()).isEqualTo(s.udev ? HardwareEvent.SOURCE_UDEV : HardwareEvent.SOURCE_KERNEL);
        assertThat(m.action()).isEqualTo(s.action);
        assertThat(m.devpath()).isEqualTo(s.devpath);
        for (Map.Entry<String, byte[]> p : s.more.entrySet()) {
            assertThat(m.property(p.getKey())).as(p.getKey()).isEqualTo(new String(p.getValue(), StandardCharsets.UTF_8));
        }
    }

    // ---- generators ----------------------------------------------------------------------------

    @Provide
    Arbitrary<Integer> cuts() {
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(4, Arbitraries.just(0)), net.jqwik.api.Tuple.of(1,
                Arbitraries.integers().greaterOrEqual(0)));
    }

    @Provide
    Arbitrary<byte[]> datagrams() {
        return Arbitraries.oneOf(Arbitraries.bytes().array(byte[].class).ofMaxSize(80), damaged(Arbitraries.of(CAPTURED)),
                damaged(wellFormed().map(Sent::datagram)),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(60).map(b -> concat(UeventMessage.LIBUDEV_PREFIX, b)));
    }

    @Provide
    Arbitrary<Sent> wellFormed() {
        Arbitrary<String> action = Arbitraries.oneOf(Arbitraries.of("add", "remove", "change", "move", "online", "offline", "bind",
                "unbind"), Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8));
        Arbitrary<String> devpath = Arbitraries.strings().withChars("abcxyz019-_:./@").ofMaxLength(40).map(p -> "/devices/" + p);
        Arbitrary<byte[]> value = Arbitraries.bytes().filter(x -> x != 0).array(byte[].class).ofMaxSize(30);
        Arbitrary<String> key = Arbitraries.strings().withCharRange('A', 'Z').withChars("_").ofMinLength(1).ofMaxLength(10)
                .filter(k -> !k.equals("ACTION") && !k.equals("DEVPATH"));
        Arbitrary<Map<String, byte[]>> more = Combinators.combine(key, value).as(Map::entry).list().ofMaxSize(6).map(es -> {
            Map<String, byte[]> m = new LinkedHashMap<>();
            for (var e : es) m.putIfAbsent(e.getKey(), e.getValue());
            return m;
        });
        return Combinators.combine(Arbitraries.of(true, false), action, devpath, more).as((udev, a, d, m) -> {
            ByteArrayOutputStream props = new ByteArrayOutputStream();
            props.writeBytes(("ACTION=" + a + "\0DEVPATH=" + d + "\0").getBytes(StandardCharsets.UTF_8));
            for (var e : m.entrySet()) {
                props.writeBytes((e.getKey() + "=").getBytes(StandardCharsets.US_ASCII));
                props.writeBytes(e.getValue());
                props.write(0);
            }
            byte[] p = props.toByteArray();
            byte[] datagram;
            if (udev) {
                ByteBuffer h = ByteBuffer.allocate(UeventMessage.LIBUDEV_HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
                h.put(UeventMessage.LIBUDEV_PREFIX);
                h.order(ByteOrder.BIG_ENDIAN).putInt(UeventMessage.LIBUDEV_MAGIC).order(ByteOrder.LITTLE_ENDIAN);
                h.putInt(UeventMessage.LIBUDEV_HEADER_SIZE).putInt(UeventMessage.LIBUDEV_HEADER_SIZE).putInt(p.length);
                datagram = concat(h.array(), p);
            } else {
                datagram = concat((a + "@" + d + "\0").getBytes(StandardCharsets.UTF_8), p);
            }
            return new Sent(udev, a, d, m, datagram);
        });
    }

    /** Truncated, a byte changed, a header field (libudev offset or length) set to an extreme. */
    private static Arbitrary<byte[]> damaged(Arbitrary<byte[]> valid) {
        return Combinators.combine(valid, Arbitraries.integers().between(0, 3), Arbitraries.integers().greaterOrEqual(0), Arbitraries.bytes(),
                Arbitraries.of(-1, 0, 23, 24, 40, 0x7fffffff, 0x80000000, 0xffffffff, 65536)).as((b, kind, where, x, extreme) -> {
                    if (b.length == 0) return b;
                    switch (kind) {
                        case 0:
                            return Arrays.copyOf(b, where % (b.length + 1));
                        case 1: {
                            byte[] out = b.clone();
                            out[where % out.length] = x;
                            return out;
                        }
                        case 2: {
                            byte[] out = b.clone();
                            int at = 12 + 4 * (where % 4); // header size, properties offset, length, subsystem hash
                            if (out.length >= at + 4) ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putInt(at, extreme);
                            return out;
                        }
                        default: {
                            byte[] out = b.clone();
                            for (int i = 0; i < out.length; i++) if (out[i] == 0 && (where + i) % 3 == 0) out[i] = x; // NULs moved
                            return out;
                        }
                    }
                });
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
