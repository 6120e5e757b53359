package io.hostql.publishers.uevent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hostql.events.HardwareEvent;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Both wire formats, on datagrams captured from a real kernel and a real systemd-udevd (see the resources' README). */
class UeventMessageTest {
    static byte[] captured(String name) throws Exception {
        try (InputStream in = UeventMessageTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    static UeventMessage decode(byte[] b) throws Exception {
        return UeventMessage.decode(b, b.length);
    }

    static Map<String, String> props(UeventMessage m) {
        return HardwareEvent.toMap(m.properties());
    }

    @Test
    void kernelAddOfALoopDevice() throws Exception {
        UeventMessage m = decode(captured("kernel-add-loop57.bin"));
        assertThat(m.source()).isEqualTo(HardwareEvent.SOURCE_KERNEL);
        assertThat(m.action()).isEqualTo("add");
        assertThat(m.devpath()).isEqualTo("/devices/virtual/block/loop57");
        assertThat(props(m)).containsEntry("SUBSYSTEM", "block").containsEntry("DEVNAME", "loop57").containsEntry("DEVTYPE", "disk")
                .containsEntry("MAJOR", "7").containsEntry("MINOR", "57").containsKey("SEQNUM");
        assertThat(props(m).keySet()).startsWith("ACTION", "DEVPATH", "SUBSYSTEM");
        assertThat(m.properties()[m.properties().length - 1]).as("no trailing NUL kept").isNotZero();
    }

    @Test
    void kernelRemoveAndChangeWithoutDevtype() throws Exception {
        UeventMessage rm = decode(captured("kernel-remove-loop57.bin"));
        assertThat(rm.action()).isEqualTo("remove");
        assertThat(rm.property("DEVTYPE")).isEqualTo("disk");
        UeventMessage lo = decode(captured("kernel-change-lo.bin"));
        assertThat(lo.action()).isEqualTo("change");
        assertThat(lo.devpath()).isEqualTo("/devices/virtual/net/lo");
        assertThat(props(lo)).containsEntry("SUBSYSTEM", "net").containsEntry("INTERFACE", "lo").doesNotContainKey("DEVTYPE");
        UeventMessage bdi = decode(captured("kernel-add-bdi-7-57.bin"));
        assertThat(bdi.devpath()).isEqualTo("/devices/virtual/bdi/7:57");
    }

    @Test
    void libudevAddCarriesUdevsProperties() throws Exception {
        byte[] raw = captured("udev-add-loop57.bin");
        assertThat(Arrays.copyOf(raw, 8)).isEqualTo("libudev\0".getBytes(StandardCharsets.US_ASCII));
        UeventMessage m = decode(raw);
        assertThat(m.source()).isEqualTo(HardwareEvent.SOURCE_UDEV);
        assertThat(m.action()).isEqualTo("add");
        assertThat(m.devpath()).isEqualTo("/devices/virtual/block/loop57");
        assertThat(props(m)).containsEntry("DEVNAME", "/dev/loop57").containsEntry("DEVTYPE", "disk")
                .containsEntry("SUBSYSTEM", "block").containsKey("USEC_INITIALIZED").containsKey("SEQNUM")
                .containsEntry("DEVLINKS", "/dev/disk/by-diskseq/75").containsEntry("TAGS", ":systemd:");
        UeventMessage lo = decode(captured("udev-change-lo.bin"));
        assertThat(lo.action()).isEqualTo("change");
        assertThat(lo.property("INTERFACE")).isEqualTo("lo");
    }

    @Test
    void kernelAndUdevAgreeOnTheSameEvent() throws Exception {
        UeventMessage k = decode(captured("kernel-add-loop57.bin")), u = decode(captured("udev-add-loop57.bin"));
        assertThat(u.property("SEQNUM")).isEqualTo(k.property("SEQNUM"));
        assertThat(u.devpath()).isEqualTo(k.devpath());
    }

    /** A libudev message built the way systemd's device_monitor_send_device lays it out. */
    static byte[] libudev(int magic, int offset, int length, byte[] props) {
        ByteBuffer b = ByteBuffer.allocate(40 + props.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("libudev\0".getBytes(StandardCharsets.US_ASCII));
        b.order(ByteOrder.BIG_ENDIAN).putInt(magic).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(40).putInt(offset).putInt(length).putInt(0).putInt(0).putInt(0).putInt(0);
        b.put(props);
        return b.array();
    }

    static byte[] nul(String... kv) {
        return (String.join("\0", kv) + "\0").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void valuesNeedNotBeUtf8() throws Exception {
        byte[] props = nul("ACTION=add", "DEVPATH=/devices/x", "SUBSYSTEM=usb", "ID_SERIAL=ab\u00ffc");
        props[props.length - 3] = (byte) 0xff; // a lone non-UTF-8 byte inside the value
        UeventMessage m = decode(libudev(0xfeedcafe, 40, props.length, props));
        assertThat(m.properties()).as("kept as received").isEqualTo(Arrays.copyOf(props, props.length - 1));
    }

    @Test
    void malformedDatagramsAreRefusedWithTheReason() {
        byte[] props = nul("ACTION=add", "DEVPATH=/devices/x");
        assertThatThrownBy(() -> decode(new byte[0])).hasMessage("empty datagram");
        assertThatThrownBy(() -> decode("no header at all".getBytes(StandardCharsets.US_ASCII)))
                .hasMessageContaining("without a NUL");
        assertThatThrownBy(() -> decode(nul("garbage", "ACTION=add"))).hasMessageContaining("not ACTION@DEVPATH: 'garbage'");
        assertThatThrownBy(() -> decode(nul("add@/devices/x", "ACTION=add"))).hasMessage("uevent without a DEVPATH");
        assertThatThrownBy(() -> decode(nul("add@/devices/x", "DEVPATH=/devices/x"))).hasMessage("uevent without ACTION");
        assertThatThrownBy(() -> decode(nul("add@/devices/x", "ACTION=remove", "DEVPATH=/devices/x")))
                .hasMessageContaining("disagrees with ACTION='remove'");
        assertThatThrownBy(() -> decode(libudev(0xcafefeed, 40, props.length, props)))
                .hasMessage("libudev message with magic 0xcafefeed instead of 0xfeedcafe");
        assertThatThrownBy(() -> decode(libudev(0xfeedcafe, 400, props.length, props)))
                .hasMessageContaining("properties offset 400 is outside");
        assertThatThrownBy(() -> decode(libudev(0xfeedcafe, 40, props.length + 1, props)))
                .hasMessageContaining("run past the");
        assertThatThrownBy(() -> decode(Arrays.copyOf("libudev\0".getBytes(StandardCharsets.US_ASCII), 20)))
                .hasMessageContaining("shorter than its header");
    }
}
