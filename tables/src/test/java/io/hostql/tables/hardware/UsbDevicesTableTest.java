package io.hostql.tables.hardware;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsbDevicesTableTest {
    @Test
    void matchesLsusb() {
        List<Map<String, Object>> r = rows("SELECT * FROM usb_devices");
        if (!Files.isDirectory(Path.of("/sys/bus/usb/devices"))) {
            assertThat(r).isEmpty();
            assumeTrue(false, "no USB bus on this machine (no /sys/bus/usb): usb_devices is empty; the fake-tree test covers parsing");
        }
        assumeTrue(hasCommand("lsusb"), "lsusb (Debian package usbutils) is the witness");
        // lsusb: "Bus 001 Device 002: ID 046d:c52b Logitech, Inc. Unifying Receiver"
        List<String> expected = new ArrayList<>();
        for (String line : run("lsusb").split("\n")) {
            if (!line.startsWith("Bus ")) continue;
            expected.add(Integer.parseInt(line.substring(4, 7)) + "/" + Integer.parseInt(line.substring(15, 18)) + " "
                    + line.substring(23, 32));
        }
        assertThat(r).extracting(m -> m.get("usb_address") + "/" + m.get("usb_port") + " " + m.get("vendor_id") + ":" + m.get("model_id"))
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void fakeSysfsTreeAndUsbIds(@TempDir Path dir) throws Exception {
        Path devs = dir.resolve("devices");
        device(devs, "usb1", attrs("busnum", "1", "devnum", "1", "idVendor", "1d6b", "idProduct", "0002", "bcdDevice", "0606",
                "bDeviceClass", "09", "bDeviceSubClass", "00", "bDeviceProtocol", "01", "removable", "unknown",
                "manufacturer", "Linux 6.1.0 xhci-hcd", "product", "xHCI Host Controller"));
        device(devs, "1-1", attrs("busnum", "1", "devnum", "3", "idVendor", "046D", "idProduct", "c52b", "bcdDevice", "1211",
                "bDeviceClass", "00", "bDeviceSubClass", "00", "bDeviceProtocol", "00", "removable", "removable",
                "product", "USB Receiver", "serial", "ABC123"));
        device(devs, "1-1:1.0", attrs("bInterfaceClass", "03")); // an interface: not a device row
        device(devs, "2-4", attrs("busnum", "2", "devnum", "7", "idVendor", "0bda", "idProduct", "5411", "bcdDevice", "0101",
                "bDeviceClass", "ff", "bDeviceSubClass", "ff", "bDeviceProtocol", "ff", "removable", "fixed",
                "manufacturer", "Generic", "product", "4-Port USB 2.0 Hub"));
        Path ids = dir.resolve("usb.ids");
        Files.writeString(ids, "# usb.ids\n046d  Logitech, Inc.\n\tc52b  Unifying Receiver\n\t\t0000  interface line\n"
                + "1d6b  Linux Foundation\n\t0002  2.0 root hub\n\nC 00  (Defined at Interface level)\nC 09  Hub\n\t00  Unused\n"
                + "AT 0001  Some terminal\nHID 00  None\n");
        List<Map<String, Object>> r = generate(new UsbDevicesTable(devs, List.of(ids)));
        assertThat(r).hasSize(3);
        assertThat(r.get(0)).containsEntry("usb_address", 1L).containsEntry("usb_port", 3L).containsEntry("vendor", "Logitech, Inc.")
                .containsEntry("vendor_id", "046d").containsEntry("model", "Unifying Receiver").containsEntry("model_id", "c52b")
                .containsEntry("version", "1211").containsEntry("serial", "ABC123").containsEntry("class", "0")
                .containsEntry("removable", 1L);
        assertThat(r.get(1)).containsEntry("usb_address", 2L).containsEntry("usb_port", 7L).containsEntry("vendor", "Generic")
                .containsEntry("model", "4-Port USB 2.0 Hub").containsEntry("class", "255").containsEntry("subclass", "255")
                .containsEntry("protocol", "255").containsEntry("removable", 0L).containsEntry("serial", null);
        assertThat(r.get(2)).containsEntry("vendor", "Linux Foundation").containsEntry("model", "2.0 root hub")
                .containsEntry("class", "9").containsEntry("protocol", "1").containsEntry("removable", -1L)
                .containsEntry("version", "0606");
        assertThat(generate(new UsbDevicesTable(dir.resolve("no-bus"), List.of(ids)))).isEmpty();
    }

    private static Map<String, String> attrs(String... kv) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    private static void device(Path devs, String name, Map<String, String> attrs) throws Exception {
        Path d = devs.resolve(name);
        Files.createDirectories(d);
        for (Map.Entry<String, String> e : attrs.entrySet()) Files.writeString(d.resolve(e.getKey()), e.getValue() + "\n");
    }
}
