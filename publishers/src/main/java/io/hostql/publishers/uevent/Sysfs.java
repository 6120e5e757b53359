package io.hostql.publishers.uevent;

import io.hostql.events.HardwareEvent;
import io.hostql.os.sysfs.SysFiles;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the uevent publisher reads from sysfs: the devices that exist now (for the resync after lost
 * uevents), a device's uevent properties as the kernel would send them, the kernel's uevent sequence
 * number, and the attributes that enrich a hardware event (driver, USB ids and strings, disk model).
 * The root is a parameter so tests can use a fake tree.
 */
final class Sysfs {
    private static final int MAX_DEPTH = 64;

    private final Path root;
    private final Path devices;

    Sysfs(Path root) {
        this.root = root;
        this.devices = root.resolve("devices");
    }

    Path root() {
        return root;
    }

    /** A device as the scan found it: the properties a kernel "add" uevent would carry (without ACTION). */
    record Device(String devpath, byte[] properties) {}

    /** Every device under {@code devices/} (a directory with a uevent file), by devpath. Unreadable parts are skipped. */
    Map<String, Device> scan() {
        Map<String, Device> out = new HashMap<>();
        try {
            Files.walkFileTree(devices, EnumSet.noneOf(java.nio.file.FileVisitOption.class), MAX_DEPTH, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (!dir.equals(devices) && Files.isRegularFile(dir.resolve("uevent"), LinkOption.NOFOLLOW_LINKS)) {
                        String devpath = devpathOf(dir);
                        byte[] props = properties(devpath);
                        if (props != null) out.put(devpath, new Device(devpath, props));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE; // a device removed while we walk, or an unreadable directory
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot scan " + devices + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** devpaths are relative to the sysfs root, with a leading slash ("/devices/virtual/block/loop0"). */
    private String devpathOf(Path dir) {
        return "/" + root.relativize(dir).toString();
    }

    private Path dir(String devpath) {
        return root.resolve(devpath.substring(1));
    }

    /**
     * DEVPATH, SUBSYSTEM and the lines of the device's uevent file (MAJOR, MINOR, DEVNAME, DEVTYPE, DRIVER,
     * ...), NUL-separated as in a kernel uevent; null if the device is gone.
     */
    byte[] properties(String devpath) {
        Path dir = dir(devpath);
        byte[] uevent = SysFiles.readAttribute(dir.resolve("uevent"));
        if (uevent == null) return null;
        Map<String, String> head = new LinkedHashMap<>();
        head.put("DEVPATH", devpath);
        head.put("SUBSYSTEM", SysFiles.linkName(dir.resolve("subsystem")));
        byte[] first = HardwareEvent.block(head);
        byte[] out = Arrays.copyOf(first, first.length + uevent.length);
        int n = first.length;
        for (byte b : uevent) out[n++] = b == '\n' ? 0 : b;
        while (n > 0 && out[n - 1] == 0) n--;
        return Arrays.copyOf(out, n);
    }

    /**
     * The sysfs attributes udev would have looked at, read now (keys: HardwareEvent.ATTR_*): the driver
     * link; idVendor, idProduct, serial, manufacturer, product and bcdDevice of the device itself or its
     * nearest USB device ancestor (the physical device behind a USB disk or interface); and vendor, model,
     * rev (or firmware_rev) and serial of the device's {@code device/} (SCSI and NVMe disks).
     */
    byte[] attributes(String devpath) {
        Path dir = dir(devpath);
        Map<String, String> a = new LinkedHashMap<>();
        a.put(HardwareEvent.ATTR_DRIVER, SysFiles.linkName(dir.resolve("driver")));
        for (Path p = dir; p != null && p.startsWith(devices) && !p.equals(devices); p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("idVendor"))) {
                a.put(HardwareEvent.ATTR_USB_VENDOR_ID, SysFiles.attribute(p.resolve("idVendor")));
                a.put(HardwareEvent.ATTR_USB_PRODUCT_ID, SysFiles.attribute(p.resolve("idProduct")));
                a.put(HardwareEvent.ATTR_USB_SERIAL, SysFiles.attribute(p.resolve("serial")));
                a.put(HardwareEvent.ATTR_USB_MANUFACTURER, SysFiles.attribute(p.resolve("manufacturer")));
                a.put(HardwareEvent.ATTR_USB_PRODUCT, SysFiles.attribute(p.resolve("product")));
                a.put(HardwareEvent.ATTR_USB_REVISION, SysFiles.attribute(p.resolve("bcdDevice")));
                break;
            }
        }
        Path device = dir.resolve("device");
        String model = SysFiles.attribute(device.resolve("model"));
        if (model != null) {
            a.put(HardwareEvent.ATTR_DEVICE_MODEL, model);
            a.put(HardwareEvent.ATTR_DEVICE_VENDOR, SysFiles.attribute(device.resolve("vendor")));
            String rev = SysFiles.attribute(device.resolve("rev"));
            a.put(HardwareEvent.ATTR_DEVICE_REVISION, rev != null ? rev : SysFiles.attribute(device.resolve("firmware_rev")));
            a.put(HardwareEvent.ATTR_DEVICE_SERIAL, SysFiles.attribute(device.resolve("serial")));
        }
        return HardwareEvent.block(a);
    }

    /** /sys/kernel/uevent_seqnum: the sequence number of the last uevent the kernel sent; -1 if unreadable. */
    long seqnum() {
        String s = SysFiles.attribute(root.resolve("kernel/uevent_seqnum"));
        try {
            return s == null ? -1 : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
