package io.hostql.subscribers.hardware;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.events.Clock;
import io.hostql.events.HardwareEvent;
import io.hostql.events.Journal;
import io.hostql.evented.EventStore;
import io.hostql.evented.EventedTables;
import io.hostql.evented.Row;
import io.hostql.sql.QueryResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HardwareSubscriberTest {
    @TempDir
    Path dir;

    static final String USB = "/devices/pci0000:00/0000:00:14.0/usb1/1-1";

    static Map<String, String> map(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    static HardwareEvent kernel(String action, String devpath, Map<String, String> props, Map<String, String> attrs) {
        Map<String, String> all = map("ACTION", action, "DEVPATH", devpath);
        all.putAll(props);
        return new HardwareEvent(Clock.nowNanos(), HardwareEvent.SOURCE_KERNEL, 0, action, devpath, HardwareEvent.block(all),
                attrs == null ? null : HardwareEvent.block(attrs));
    }

    static final Map<String, String> STICK = map(HardwareEvent.ATTR_USB_VENDOR_ID, "0781", HardwareEvent.ATTR_USB_PRODUCT_ID, "5567",
            HardwareEvent.ATTR_USB_SERIAL, "4C530001", HardwareEvent.ATTR_USB_MANUFACTURER, "SanDisk Corp.",
            HardwareEvent.ATTR_USB_PRODUCT, "Cruzer", HardwareEvent.ATTR_USB_REVISION, "0100");

    Path usbIds() throws Exception {
        return Files.writeString(dir.resolve("usb.ids"), "# test\n0781  SanDisk Corp.\n\t5567  Cruzer Blade\n");
    }

    HardwareSubscriber subscriber(String disabled, List<Path> ids) {
        return new HardwareSubscriber(null, null, disabled, ids);
    }

    static Map<String, Object> named(Row row) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < row.values().length; i++) m.put(row.table().column(i).name(), row.values()[i]);
        return m;
    }

    @Test
    void theTableHasOsquerysColumnsFirst() {
        List<String> osquery = List.of("action:TEXT", "path:TEXT", "type:TEXT", "driver:TEXT", "vendor:TEXT", "vendor_id:TEXT", "model:TEXT",
                "model_id:TEXT", "serial:TEXT", "revision:TEXT", "time:BIGINT", "eid:TEXT");
        List<String> actual = EventedTables.HARDWARE_EVENTS.columns().stream().map(c -> c.name() + ":" + c.type().name()).toList();
        assertThat(actual.subList(0, osquery.size())).isEqualTo(osquery);
        assertThat(EventedTables.HARDWARE_EVENTS.columns().get(11).hidden()).isTrue();
        assertThat(actual.subList(osquery.size(), actual.size())).containsExactly("devpath:TEXT", "subsystem:TEXT", "seqnum:BIGINT",
                "synthetic:INTEGER");
    }

    @Test
    void aKernelLoopDiskBecomesARowWithItsDevnode() {
        HardwareEvent e = kernel("add", "/devices/virtual/block/loop9", map("SUBSYSTEM", "block", "MAJOR", "7", "MINOR", "9",
                "DEVNAME", "loop9", "DEVTYPE", "disk", "SEQNUM", "3107"), map());
        Map<String, Object> r = named(subscriber("partition", List.of()).row(e));
        assertThat(r).containsEntry("action", "add").containsEntry("path", "/dev/loop9").containsEntry("type", "disk")
                .containsEntry("driver", "").containsEntry("vendor", "").containsEntry("model", "").containsEntry("serial", "")
                .containsEntry("devpath", "/devices/virtual/block/loop9").containsEntry("subsystem", "block")
                .containsEntry("seqnum", 3107L).containsEntry("synthetic", 0L).containsEntry("time", e.captureNanos() / 1_000_000_000L);
    }

    @Test
    void osquerysFiltersApply() {
        HardwareSubscriber s = subscriber("partition", List.of());
        assertThat(s.row(kernel("change", "/devices/virtual/net/lo", map("SUBSYSTEM", "net", "INTERFACE", "lo"), null)))
                .as("no DEVTYPE").isNull();
        assertThat(s.row(kernel("add", "/devices/virtual/net/wlan0", map("SUBSYSTEM", "net", "DEVTYPE", "wlan"), map())))
                .as("neither a devnode nor a driver").isNull();
        assertThat(s.row(kernel("add", "/devices/x/6:0:0:0", map("SUBSYSTEM", "scsi", "DEVTYPE", "scsi_device", "DRIVER", "sd"), map())))
                .as("a driver but neither a devnode nor a model").isNull();
        HardwareEvent part = kernel("add", "/devices/virtual/block/loop9/loop9p1", map("DEVNAME", "loop9p1", "DEVTYPE", "partition"), null);
        assertThat(s.row(part)).as("partition is disabled by default").isNull();
        assertThat(subscriber("", List.of()).row(part)).isNotNull();
        HardwareSubscriber flash = subscriber("disk,partition", List.of());
        assertThat(flash.row(part)).isNull();
        assertThat(flash.row(kernel("add", "/devices/virtual/block/loop9", map("DEVNAME", "loop9", "DEVTYPE", "disk"), null))).isNull();
        assertThat(subscriber("part", List.of()).row(part)).as("osquery matches the type as a substring of the flag").isNotNull();
        assertThat(subscriber("partitions", List.of()).row(part)).isNull();
        s.disabledTypes("");
        assertThat(s.row(part)).as("after a reload").isNotNull();
    }

    @Test
    void usbDevicesAreNamedFromUsbIdsThenTheirOwnStrings() throws Exception {
        Map<String, String> attrs = new LinkedHashMap<>(STICK);
        attrs.put(HardwareEvent.ATTR_DRIVER, "usb-storage");
        HardwareEvent iface = kernel("add", USB + "/1-1:1.0", map("SUBSYSTEM", "usb", "DEVTYPE", "usb_interface"), attrs);
        Map<String, Object> named = named(subscriber("partition", List.of(usbIds())).row(iface));
        assertThat(named).containsEntry("path", "").containsEntry("driver", "usb-storage").containsEntry("vendor", "SanDisk Corp.")
                .containsEntry("vendor_id", "0781").containsEntry("model", "Cruzer Blade").containsEntry("model_id", "5567")
                .containsEntry("serial", "4C530001").containsEntry("revision", "0100");
        Map<String, Object> noIds = named(subscriber("partition", List.of(dir.resolve("missing.ids"))).row(iface));
        assertThat(noIds).as("without usb.ids, the device's own strings").containsEntry("model", "Cruzer").containsEntry("vendor", "SanDisk Corp.");
        HardwareEvent device = kernel("add", USB, map("SUBSYSTEM", "usb", "DEVTYPE", "usb_device", "DEVNAME", "bus/usb/001/002",
                "DRIVER", "usb"), STICK);
        assertThat(named(subscriber("partition", List.of(usbIds())).row(device))).containsEntry("path", "/dev/bus/usb/001/002")
                .containsEntry("driver", "usb").containsEntry("model", "Cruzer Blade");
    }

    @Test
    void udevsPropertiesWinOverSysfs() throws Exception {
        Map<String, String> props = map("ACTION", "add", "DEVPATH", USB + "/host6/block/sdb", "SUBSYSTEM", "block", "DEVNAME", "/dev/sdb",
                "DEVTYPE", "disk", "ID_VENDOR_ID", "0781", "ID_MODEL_ID", "5567", "ID_SERIAL_SHORT", "UDEVSERIAL", "ID_REVISION", "1.00",
                "ID_VENDOR_FROM_DATABASE", "SanDisk (hwdb)", "SEQNUM", "42");
        HardwareEvent udev = new HardwareEvent(Clock.nowNanos(), HardwareEvent.SOURCE_UDEV, 0, "add", USB + "/host6/block/sdb",
                HardwareEvent.block(props), HardwareEvent.block(STICK));
        Map<String, Object> r = named(subscriber("partition", List.of(usbIds())).row(udev));
        assertThat(r).containsEntry("path", "/dev/sdb").containsEntry("vendor", "SanDisk (hwdb)").containsEntry("serial", "UDEVSERIAL")
                .containsEntry("revision", "1.00").containsEntry("vendor_id", "0781")
                .as("udev left the model name out: usb.ids fills it").containsEntry("model", "Cruzer Blade");
    }

    @Test
    void aDiskModelComesFromItsDeviceAndARemovalKeepsWhatWasRemembered() {
        Map<String, String> disk = map(HardwareEvent.ATTR_DEVICE_VENDOR, "ATA", HardwareEvent.ATTR_DEVICE_MODEL, "Samsung SSD 870",
                HardwareEvent.ATTR_DEVICE_REVISION, "SVT02B6Q", HardwareEvent.ATTR_DEVICE_SERIAL, "S6PNNS0T");
        HardwareEvent remove = kernel("remove", "/devices/pci/ata1/host0/target0:0:0/0:0:0:0/block/sda",
                map("DEVNAME", "sda", "DEVTYPE", "disk", "SUBSYSTEM", "block"), disk);
        assertThat(named(subscriber("partition", List.of()).row(remove))).containsEntry("action", "remove").containsEntry("vendor", "ATA")
                .containsEntry("model", "Samsung SSD 870").containsEntry("revision", "SVT02B6Q").containsEntry("serial", "S6PNNS0T");
    }

    @Test
    void rowsAreCommittedWithEidsAndSyntheticMarks() throws Exception {
        try (Journal j = Journal.open(dir.resolve("journal"));
                EventStore s = EventStore.open(dir.resolve("events.db"), EventedTables.all());
                HardwareSubscriber hw = new HardwareSubscriber(j, s, "partition", List.of())) {
            j.append(kernel("add", "/devices/virtual/block/loop9", map("DEVNAME", "loop9", "DEVTYPE", "disk", "SEQNUM", "1"), null));
            j.append(kernel("change", "/devices/virtual/net/lo", map("INTERFACE", "lo", "SEQNUM", "2"), null));
            Map<String, String> synth = map("ACTION", "remove", "DEVPATH", "/devices/virtual/block/loop9", "DEVNAME", "loop9", "DEVTYPE", "disk");
            j.append(new HardwareEvent(Clock.nowNanos(), HardwareEvent.SOURCE_KERNEL, HardwareEvent.SYNTHETIC, "remove",
                    "/devices/virtual/block/loop9", HardwareEvent.block(synth), null));
            hw.start();
            long end = System.nanoTime() + 5_000_000_000L;
            while (hw.stats().events() < 3 && System.nanoTime() < end) Thread.sleep(10);
            while (count(s) < 2 && System.nanoTime() < end) Thread.sleep(10);
            QueryResult r = s.query("SELECT action, path, type, eid, seqnum, synthetic FROM hardware_events ORDER BY eid");
            assertThat(r.rows()).hasSize(2);
            assertThat(r.rows().get(0)).containsExactly("add", "/dev/loop9", "disk", "0000000001", 1L, 0L);
            assertThat(r.rows().get(1)).containsExactly("remove", "/dev/loop9", "disk", "0000000002", null, 1L);
            assertThat(hw.filtered()).isEqualTo(1);
        }
    }

    static long count(EventStore s) {
        return (Long) s.query("SELECT count(*) FROM hardware_events").rows().get(0)[0];
    }
}
