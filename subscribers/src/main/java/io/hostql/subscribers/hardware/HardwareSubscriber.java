package io.hostql.subscribers.hardware;

import io.hostql.events.EventType;
import io.hostql.events.HardwareEvent;
import io.hostql.events.Journal;
import io.hostql.events.JournalEntry;
import io.hostql.evented.EventStore;
import io.hostql.evented.EventedTables;
import io.hostql.evented.Row;
import io.hostql.subscribers.Subscriber;
import io.hostql.os.ids.IdsDatabase;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * hardware_events: one row per uevent osquery would keep. As osquery's subscriber does, it skips events
 * without a DEVTYPE, without both a device node and a driver, without both a device node and a model,
 * and those whose DEVTYPE is a substring of {@code hardware_disabled_types} (default "partition").
 *
 * <p>Columns take udev's properties when the event came through systemd-udevd (ID_VENDOR_FROM_DATABASE,
 * ID_MODEL_ID, ID_SERIAL_SHORT, ...). What the event lacks is filled from the sysfs attributes the
 * publisher read when it arrived: the USB ids, serial and revision of the device or of the USB device
 * behind it, names from usb.ids (what udev's hwdb holds) or else the device's own manufacturer and
 * product strings, and a disk's model, vendor, revision and serial.
 */
public final class HardwareSubscriber extends Subscriber {
    public static final String NAME = "hardware_events";

    private static final Row.Layout HARDWARE = Row.layout(EventedTables.HARDWARE_EVENTS);
    private static final Row.Text ACTION = HARDWARE.text("action"), PATH = HARDWARE.text("path"), TYPE = HARDWARE.text("type"),
            DRIVER = HARDWARE.text("driver"), VENDOR = HARDWARE.text("vendor"), VENDOR_ID = HARDWARE.text("vendor_id"),
            MODEL = HARDWARE.text("model"), MODEL_ID = HARDWARE.text("model_id"), SERIAL = HARDWARE.text("serial"),
            REVISION = HARDWARE.text("revision"), DEVPATH = HARDWARE.text("devpath"), SUBSYSTEM = HARDWARE.text("subsystem");
    private static final Row.Int TIME = HARDWARE.integer("time"), SEQNUM = HARDWARE.integer("seqnum"), SYNTHETIC = HARDWARE.integer("synthetic");

    private final List<Path> usbIds;
    private volatile String disabledTypes;
    private final AtomicLong filtered = new AtomicLong();

    public HardwareSubscriber(Journal journal, EventStore store, String disabledTypes) {
        this(journal, store, disabledTypes, IdsDatabase.USB_IDS);
    }

    public HardwareSubscriber(Journal journal, EventStore store, String disabledTypes, List<Path> usbIds) {
        super(NAME, journal, store);
        this.disabledTypes = disabledTypes == null ? "" : disabledTypes;
        this.usbIds = usbIds;
    }

    /** hardware_disabled_types after a config reload. */
    public void disabledTypes(String types) {
        disabledTypes = types == null ? "" : types;
    }

    /** Events seen but kept out of the table by osquery's rules. */
    public long filtered() {
        return filtered.get();
    }

    @Override
    protected Set<EventType> types() {
        return Set.of(EventType.HARDWARE);
    }

    @Override
    protected void handle(JournalEntry entry, Rows out) {
        if (!(entry.event() instanceof HardwareEvent e)) return;
        Row row = row(e);
        if (row == null) {
            filtered.incrementAndGet();
            return;
        }
        out.add(row);
    }

    /** The row for an event, or null when osquery's rules skip it (the soak's journal check asks the same). */
    public Row row(HardwareEvent e) {
        String type = e.property("DEVTYPE");
        if (empty(type)) return null;
        String path = devnode(e);
        String driver = first(e.property("DRIVER"), e.attribute(HardwareEvent.ATTR_DRIVER));
        if (empty(path) && empty(driver)) return null;
        // osquery: the flag's text contains the type ("disk,partition" drops both; so would "part")
        if (!disabledTypes.isEmpty() && disabledTypes.contains(type)) return null;
        String vendorId = first(e.property("ID_VENDOR_ID"), lower(e.attribute(HardwareEvent.ATTR_USB_VENDOR_ID)));
        String modelId = first(e.property("ID_MODEL_ID"), lower(e.attribute(HardwareEvent.ATTR_USB_PRODUCT_ID)));
        IdsDatabase ids = vendorId != null && (e.property("ID_MODEL_FROM_DATABASE") == null || e.property("ID_VENDOR_FROM_DATABASE") == null)
                ? IdsDatabase.load(usbIds) : IdsDatabase.EMPTY;
        String model = first(e.property("ID_MODEL_FROM_DATABASE"), modelId == null ? null : ids.device(vendorId, modelId),
                e.attribute(HardwareEvent.ATTR_USB_PRODUCT), e.attribute(HardwareEvent.ATTR_DEVICE_MODEL));
        if (empty(path) && empty(model)) return null;
        String vendor = first(e.property("ID_VENDOR_FROM_DATABASE"), vendorId == null ? null : ids.vendor(vendorId),
                e.attribute(HardwareEvent.ATTR_USB_MANUFACTURER), e.attribute(HardwareEvent.ATTR_DEVICE_VENDOR));
        String serial = first(e.property("ID_SERIAL_SHORT"), e.attribute(HardwareEvent.ATTR_USB_SERIAL),
                e.attribute(HardwareEvent.ATTR_DEVICE_SERIAL));
        String revision = first(e.property("ID_REVISION"), e.attribute(HardwareEvent.ATTR_USB_REVISION),
                e.attribute(HardwareEvent.ATTR_DEVICE_REVISION));
        long seqnum = e.seqnum();
        return HARDWARE.row().set(ACTION, e.action()).set(PATH, orEmpty(path)).set(TYPE, type).set(DRIVER, orEmpty(driver))
                .set(VENDOR, orEmpty(vendor)).set(VENDOR_ID, orEmpty(vendorId)).set(MODEL, orEmpty(model)).set(MODEL_ID, orEmpty(modelId))
                .set(SERIAL, orEmpty(serial)).set(REVISION, orEmpty(revision)).set(TIME, e.captureNanos() / 1_000_000_000L)
                .set(DEVPATH, e.devpath()).set(SUBSYSTEM, e.property("SUBSYSTEM")).set(SEQNUM, seqnum < 0 ? null : seqnum)
                .set(SYNTHETIC, e.synthetic() ? 1 : 0);
    }

    /** udev's DEVNAME is the node's path; the kernel's is relative to /dev. */
    static String devnode(HardwareEvent e) {
        String name = e.property("DEVNAME");
        if (empty(name)) return null;
        return name.startsWith("/") ? name : "/dev/" + name;
    }

    private static String first(String... values) {
        for (String v : values) if (!empty(v)) return v;
        return null;
    }

    private static boolean empty(String s) {
        return s == null || s.isEmpty();
    }

    /** osquery writes "" for what udev does not know. */
    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }
}
