package io.hostql.os.ids;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A pci.ids or usb.ids file (the pciutils / usbutils name databases): vendors with their devices and
 * subsystems, and the "C" device-class section with subclasses. Ids are lowercase hex. Parsed once per
 * file version and cached. The pci_devices and usb_devices tables use it, and hardware_events, which
 * names USB devices as udev's hwdb would.
 */
public final class IdsDatabase {
    /** Where usb.ids is looked for (Debian's usb.ids package installs the first). */
    public static final List<Path> USB_IDS = List.of(Path.of("/usr/share/misc/usb.ids"), Path.of("/usr/share/hwdata/usb.ids"),
            Path.of("/var/lib/usbutils/usb.ids"), Path.of("/usr/share/usb.ids"));
    /** Where pci.ids is looked for (Debian's pci.ids package installs the first). */
    public static final List<Path> PCI_IDS = List.of(Path.of("/usr/share/misc/pci.ids"), Path.of("/usr/share/hwdata/pci.ids"),
            Path.of("/usr/share/pci.ids"));
    public static final IdsDatabase EMPTY = new IdsDatabase();

    private final Map<String, String> vendors = new HashMap<>();
    private final Map<String, String> devices = new HashMap<>(); // "vvvv:dddd"
    private final Map<String, String> subsystems = new HashMap<>(); // "vvvv:dddd:ssss:ssss"
    private final Map<String, String> classes = new HashMap<>(); // "cc"
    private final Map<String, String> subclasses = new HashMap<>(); // "cc:ss"

    private record Key(Path path, long modified, long size) {}

    private static final Map<Path, Map.Entry<Key, IdsDatabase>> CACHE = new ConcurrentHashMap<>();

    private IdsDatabase() {}

    /** The first readable file of candidates, parsed (cached while it is unchanged); EMPTY when none is. */
    public static IdsDatabase load(List<Path> candidates) {
        for (Path p : candidates) {
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(p, BasicFileAttributes.class);
            } catch (IOException | SecurityException e) {
                continue;
            }
            Key key = new Key(p, a.lastModifiedTime().toMillis(), a.size());
            Map.Entry<Key, IdsDatabase> cached = CACHE.get(p);
            if (cached != null && cached.getKey().equals(key)) return cached.getValue();
            try {
                IdsDatabase db = parse(Files.readString(p, StandardCharsets.ISO_8859_1));
                CACHE.put(p, Map.entry(key, db));
                return db;
            } catch (IOException | SecurityException e) {
                // unreadable: try the next location
            }
        }
        return EMPTY;
    }

    /** Parses the text of an ids file; malformed lines are skipped. */
    public static IdsDatabase parse(String text) {
        IdsDatabase db = new IdsDatabase();
        String vendor = null, device = null, cls = null;
        boolean inClasses = false;
        for (String raw : text.split("\n")) {
            String line = stripComment(raw);
            if (line.isBlank()) continue;
            if (line.charAt(0) != '\t') {
                vendor = device = cls = null;
                if (line.startsWith("C ") && line.length() >= 4) {
                    inClasses = true;
                    cls = lower(line.substring(2, 4));
                    db.classes.put(cls, name(line, 4));
                } else if (!inClasses && isHex(line, 0, 4) && line.length() > 6) {
                    vendor = lower(line.substring(0, 4));
                    db.vendors.putIfAbsent(vendor, name(line, 4));
                } else {
                    inClasses = false; // another section (usb.ids: AT, HID, HUT, L, ...): nothing we look up
                }
            } else if (line.length() > 1 && line.charAt(1) != '\t') {
                if (vendor != null && isHex(line, 1, 4)) {
                    device = vendor + ":" + lower(line.substring(1, 5));
                    db.devices.putIfAbsent(device, name(line, 5));
                } else if (cls != null && isHex(line, 1, 2)) {
                    db.subclasses.putIfAbsent(cls + ":" + lower(line.substring(1, 3)), name(line, 3));
                }
            } else if (device != null && isHex(line, 2, 4) && line.length() > 7 && line.charAt(6) == ' ' && isHex(line, 7, 4)) {
                db.subsystems.putIfAbsent(device + ":" + lower(line.substring(2, 6)) + ":" + lower(line.substring(7, 11)), name(line, 11));
            }
        }
        return db;
    }

    private static String stripComment(String line) {
        if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
        return line.startsWith("#") ? "" : line;
    }

    private static String name(String line, int from) {
        String n = from >= line.length() ? "" : line.substring(from).strip();
        return n.isEmpty() ? null : n;
    }

    private static boolean isHex(String s, int from, int n) {
        if (s.length() < from + n) return false;
        for (int i = from; i < from + n; i++) if (Character.digit(s.charAt(i), 16) < 0) return false;
        return true;
    }

    private static String lower(String s) {
        return s.toLowerCase(java.util.Locale.ROOT);
    }

    public String vendor(String vendorId) {
        return vendors.get(vendorId);
    }

    public String device(String vendorId, String deviceId) {
        return devices.get(vendorId + ":" + deviceId);
    }

    public String subsystem(String vendorId, String deviceId, String subVendorId, String subDeviceId) {
        return subsystems.get(vendorId + ":" + deviceId + ":" + subVendorId + ":" + subDeviceId);
    }

    public String deviceClass(String classId) {
        return classes.get(classId);
    }

    public String subclass(String classId, String subclassId) {
        return subclasses.get(classId + ":" + subclassId);
    }
}
