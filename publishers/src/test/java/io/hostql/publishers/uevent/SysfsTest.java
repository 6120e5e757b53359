package io.hostql.publishers.uevent;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.events.HardwareEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading devices and attributes, on a fake sysfs tree shaped like a USB stick's (this VM has no USB bus),
 * and on the real /sys.
 */
class SysfsTest {
    @TempDir
    Path root;

    static final String USB = "/devices/pci0000:00/0000:00:14.0/usb1/1-1";
    static final String IFACE = USB + "/1-1:1.0";
    static final String SCSI = IFACE + "/host6/target6:0:0/6:0:0:0";
    static final String DISK = SCSI + "/block/sdb";

    Path dir(String devpath) throws IOException {
        return Files.createDirectories(root.resolve(devpath.substring(1)));
    }

    void file(String devpath, String name, String text) throws IOException {
        Files.writeString(dir(devpath).resolve(name), text);
    }

    void link(String devpath, String name, String target) throws IOException {
        Files.createSymbolicLink(dir(devpath).resolve(name), Path.of(target));
    }

    void usbStick() throws IOException {
        file(USB, "uevent", "MAJOR=189\nMINOR=1\nDEVNAME=bus/usb/001/002\nDEVTYPE=usb_device\nDRIVER=usb\nPRODUCT=781/5567/100\n");
        file(USB, "idVendor", "0781\n");
        file(USB, "idProduct", "5567\n");
        file(USB, "serial", "4C530001220528115213\n");
        file(USB, "manufacturer", "SanDisk\n");
        file(USB, "product", "Cruzer Blade\n");
        file(USB, "bcdDevice", "0100\n");
        link(USB, "subsystem", "../../../../bus/usb");
        link(USB, "driver", "../../../../bus/usb/drivers/usb");
        file(IFACE, "uevent", "DEVTYPE=usb_interface\nDRIVER=usb-storage\nINTERFACE=8/6/80\n");
        link(IFACE, "subsystem", "../../../../../bus/usb");
        link(IFACE, "driver", "../../../../../bus/usb/drivers/usb-storage");
        file(SCSI, "uevent", "DEVTYPE=scsi_device\nDRIVER=sd\nMODALIAS=scsi:t-0x00\n");
        file(SCSI, "vendor", "SanDisk \n");
        file(SCSI, "model", "Cruzer Blade    \n");
        file(SCSI, "rev", "1.00\n");
        file(DISK, "uevent", "MAJOR=8\nMINOR=16\nDEVNAME=sdb\nDEVTYPE=disk\nDISKSEQ=9\n");
        link(DISK, "subsystem", "../../../../../../../../../../../class/block");
        link(DISK, "device", "../../../6:0:0:0");
        file(DISK + "/sdb1", "uevent", "MAJOR=8\nMINOR=17\nDEVNAME=sdb1\nDEVTYPE=partition\nPARTN=1\n");
        Files.createDirectories(root.resolve("kernel"));
        Files.writeString(root.resolve("kernel/uevent_seqnum"), "4242\n");
    }

    @Test
    void scanFindsEveryDeviceWithItsUeventProperties() throws IOException {
        usbStick();
        Files.createDirectories(root.resolve("devices/virtual/not-a-device/power")); // no uevent file
        Map<String, Sysfs.Device> devices = new Sysfs(root).scan();
        assertThat(devices.keySet()).containsExactlyInAnyOrder(USB, IFACE, SCSI, DISK, DISK + "/sdb1");
        Map<String, String> disk = HardwareEvent.toMap(devices.get(DISK).properties());
        assertThat(disk).containsExactly(Map.entry("DEVPATH", DISK), Map.entry("SUBSYSTEM", "block"), Map.entry("MAJOR", "8"),
                Map.entry("MINOR", "16"), Map.entry("DEVNAME", "sdb"), Map.entry("DEVTYPE", "disk"), Map.entry("DISKSEQ", "9"));
        assertThat(HardwareEvent.toMap(devices.get(SCSI).properties())).as("no subsystem link: no SUBSYSTEM")
                .doesNotContainKey("SUBSYSTEM").containsEntry("DRIVER", "sd");
        assertThat(new Sysfs(root).seqnum()).isEqualTo(4242);
    }

    @Test
    void attributesComeFromTheNearestUsbDeviceAndTheDisksDevice() throws IOException {
        usbStick();
        Sysfs sysfs = new Sysfs(root);
        Map<String, String> disk = HardwareEvent.toMap(sysfs.attributes(DISK));
        assertThat(disk).containsEntry(HardwareEvent.ATTR_USB_VENDOR_ID, "0781").containsEntry(HardwareEvent.ATTR_USB_PRODUCT_ID, "5567")
                .containsEntry(HardwareEvent.ATTR_USB_SERIAL, "4C530001220528115213").containsEntry(HardwareEvent.ATTR_USB_MANUFACTURER, "SanDisk")
                .containsEntry(HardwareEvent.ATTR_USB_PRODUCT, "Cruzer Blade").containsEntry(HardwareEvent.ATTR_USB_REVISION, "0100")
                .containsEntry(HardwareEvent.ATTR_DEVICE_VENDOR, "SanDisk").containsEntry(HardwareEvent.ATTR_DEVICE_MODEL, "Cruzer Blade")
                .containsEntry(HardwareEvent.ATTR_DEVICE_REVISION, "1.00").doesNotContainKey(HardwareEvent.ATTR_DRIVER)
                .doesNotContainKey(HardwareEvent.ATTR_DEVICE_SERIAL);
        Map<String, String> iface = HardwareEvent.toMap(sysfs.attributes(IFACE));
        assertThat(iface).containsEntry(HardwareEvent.ATTR_DRIVER, "usb-storage").containsEntry(HardwareEvent.ATTR_USB_VENDOR_ID, "0781")
                .doesNotContainKey(HardwareEvent.ATTR_DEVICE_MODEL);
        assertThat(HardwareEvent.toMap(sysfs.attributes(USB))).containsEntry(HardwareEvent.ATTR_DRIVER, "usb")
                .containsEntry(HardwareEvent.ATTR_USB_PRODUCT, "Cruzer Blade");
        assertThat(sysfs.attributes("/devices/gone/away")).as("a device that is gone has none").isEmpty();
    }

    @Test
    void theRealSysHasTheLoopbackInterfaceAndASequenceNumber() {
        Sysfs sysfs = new Sysfs(Path.of("/sys"));
        Map<String, Sysfs.Device> devices = sysfs.scan();
        assertThat(devices).containsKey("/devices/virtual/net/lo");
        assertThat(HardwareEvent.toMap(devices.get("/devices/virtual/net/lo").properties())).containsEntry("SUBSYSTEM", "net")
                .containsEntry("INTERFACE", "lo");
        assertThat(sysfs.seqnum()).isPositive();
    }
}
