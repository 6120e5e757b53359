package io.hostql.events;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One device uevent, as captured: where it came from (the kernel's netlink group or udev's), the
 * action and devpath, the message's {@code KEY=VALUE} properties exactly as received (NUL-separated
 * bytes: values need not be UTF-8), and the sysfs attributes the publisher read when the event
 * arrived ({@code KEY=VALUE}, NUL-separated, keys below). A remove event carries the attributes
 * remembered from when the device was last seen, since its sysfs directory is gone by then.
 */
public record HardwareEvent(long captureNanos, int source, int flags, String action, String devpath, byte[] properties,
        byte[] attributes) implements Event {
    public static final int SOURCE_KERNEL = 1, SOURCE_UDEV = 2;
    /** Reconstructed by a /sys rescan after lost uevents, not received from the kernel. */
    public static final int SYNTHETIC = 1;

    // Attribute keys: sysfs files read by the publisher. "usb." ones come from the device itself or its
    // nearest USB device ancestor (as udev's usb_id does), "device." ones from <devpath>/device/.
    public static final String ATTR_DRIVER = "driver";
    public static final String ATTR_USB_VENDOR_ID = "usb.idVendor", ATTR_USB_PRODUCT_ID = "usb.idProduct",
            ATTR_USB_SERIAL = "usb.serial", ATTR_USB_MANUFACTURER = "usb.manufacturer", ATTR_USB_PRODUCT = "usb.product",
            ATTR_USB_REVISION = "usb.bcdDevice";
    public static final String ATTR_DEVICE_VENDOR = "device.vendor", ATTR_DEVICE_MODEL = "device.model",
            ATTR_DEVICE_REVISION = "device.rev", ATTR_DEVICE_SERIAL = "device.serial";

    @Override
    public EventType type() {
        return EventType.HARDWARE;
    }

    @Override
    public void encode(RecordOutput out) {
        out.writeInt(source).writeInt(flags).writeString(action).writeString(devpath).writeBytes(properties).writeBytes(attributes);
    }

    public static HardwareEvent decode(long captureNanos, RecordInput in) {
        return new HardwareEvent(captureNanos, in.readInt(), in.readInt(), in.readString(), in.readString(), in.readBytes(),
                in.readBytes());
    }

    public boolean synthetic() {
        return (flags & SYNTHETIC) != 0;
    }

    /** A uevent property (DEVTYPE, DEVNAME, SEQNUM, ID_VENDOR_ID, ...), or null. */
    public String property(String key) {
        return lookup(properties, key);
    }

    /** A sysfs attribute read by the publisher (see the ATTR_ keys), or null. */
    public String attribute(String key) {
        return lookup(attributes, key);
    }

    /** The kernel's sequence number, or -1 (synthetic events have none). */
    public long seqnum() {
        String s = property("SEQNUM");
        if (s == null) return -1;
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    public Map<String, String> propertyMap() {
        return toMap(properties);
    }

    public Map<String, String> attributeMap() {
        return toMap(attributes);
    }

    /** The value of KEY in a NUL-separated KEY=VALUE block, or null. */
    public static String lookup(byte[] block, String key) {
        if (block == null) return null;
        byte[] k = key.getBytes(StandardCharsets.US_ASCII);
        int i = 0;
        while (i < block.length) {
            int end = i;
            while (end < block.length && block[end] != 0) end++;
            if (end - i > k.length && block[i + k.length] == '=' && java.util.Arrays.equals(block, i, i + k.length, k, 0, k.length)) {
                return new String(block, i + k.length + 1, end - i - k.length - 1, StandardCharsets.UTF_8);
            }
            i = end + 1;
        }
        return null;
    }

    public static Map<String, String> toMap(byte[] block) {
        Map<String, String> m = new LinkedHashMap<>();
        if (block == null) return m;
        int i = 0;
        while (i < block.length) {
            int end = i;
            while (end < block.length && block[end] != 0) end++;
            String entry = new String(block, i, end - i, StandardCharsets.UTF_8);
            int eq = entry.indexOf('=');
            if (eq > 0) m.putIfAbsent(entry.substring(0, eq), entry.substring(eq + 1));
            i = end + 1;
        }
        return m;
    }

    /** Builds a NUL-separated KEY=VALUE block (values as UTF-8); null values are left out. */
    public static byte[] block(Map<String, String> entries) {
        RecordOutput out = new RecordOutput(128);
        for (Map.Entry<String, String> e : entries.entrySet()) {
            if (e.getValue() == null) continue;
            for (byte b : (e.getKey() + "=" + e.getValue()).getBytes(StandardCharsets.UTF_8)) out.writeByte(b);
            out.writeByte(0);
        }
        return out.toByteArray();
    }

    @Override
    public String toString() {
        return "HardwareEvent[" + (source == SOURCE_UDEV ? "udev" : "kernel") + (synthetic() ? " synthetic" : "") + " " + action + " "
                + devpath + " " + propertyMap() + (attributes == null || attributes.length == 0 ? "" : " attributes " + attributeMap()) + "]";
    }
}
