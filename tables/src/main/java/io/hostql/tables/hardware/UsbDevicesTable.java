package io.hostql.tables.hardware;

import io.hostql.os.ids.IdsDatabase;
import io.hostql.os.sysfs.SysFiles;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import io.hostql.tables.os.Dirs;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * usb_devices: USB devices (not interfaces) under /sys/bus/usb/devices, root hubs included. As in osquery,
 * usb_address is the bus number and usb_port the device number; class/subclass/protocol are decimal.
 * Vendor and model names come from usb.ids (Debian: the usb.ids package), falling back to the device's
 * own manufacturer and product strings.
 */
public final class UsbDevicesTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("usb_devices", "USB devices that are actively plugged into the host system.")
            .integer("usb_address").integer("usb_port").text("vendor").text("vendor_id").text("version").text("model")
            .text("model_id").text("serial").text("class").text("subclass").text("protocol").integer("removable")
            .build();

    private final Path devices;
    private final List<Path> idsFiles;

    public UsbDevicesTable() {
        this(Path.of("/sys/bus/usb/devices"), IdsDatabase.USB_IDS);
    }

    UsbDevicesTable(Path devices, List<Path> idsFiles) {
        this.devices = devices;
        this.idsFiles = idsFiles;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        List<Path> dirs = Dirs.sorted(devices);
        if (dirs.isEmpty()) return; // no USB bus (no host controller, or usbcore not built in)
        IdsDatabase db = ctx.isUsed("vendor") || ctx.isUsed("model") ? IdsDatabase.load(idsFiles) : IdsDatabase.EMPTY;
        for (Path dir : dirs) {
            // interfaces ("1-1:1.0") have no bus and device numbers
            Long bus = SysFiles.readLong(dir.resolve("busnum"));
            Long dev = SysFiles.readLong(dir.resolve("devnum"));
            if (bus == null || dev == null) continue;
            String vendorId = lower(SysFiles.read(dir.resolve("idVendor")));
            String modelId = lower(SysFiles.read(dir.resolve("idProduct")));
            String vendor = vendorId == null ? null : db.vendor(vendorId);
            if (vendor == null) vendor = SysFiles.read(dir.resolve("manufacturer"));
            String model = vendorId == null || modelId == null ? null : db.device(vendorId, modelId);
            if (model == null) model = SysFiles.read(dir.resolve("product"));
            rows.add().set("usb_address", bus).set("usb_port", dev).set("vendor", vendor).set("vendor_id", vendorId)
                    .set("version", lower(SysFiles.read(dir.resolve("bcdDevice")))).set("model", model).set("model_id", modelId)
                    .set("serial", SysFiles.read(dir.resolve("serial")))
                    .set("class", decimal(SysFiles.read(dir.resolve("bDeviceClass"))))
                    .set("subclass", decimal(SysFiles.read(dir.resolve("bDeviceSubClass"))))
                    .set("protocol", decimal(SysFiles.read(dir.resolve("bDeviceProtocol"))))
                    .set("removable", removable(SysFiles.read(dir.resolve("removable"))));
        }
    }

    /** sysfs "removable": removable 1, fixed 0 (osquery says 1 for anything known), unknown -1. */
    static Long removable(String s) {
        if (s == null || s.equals("unknown")) return -1L;
        return s.equals("fixed") ? 0L : 1L;
    }

    /** sysfs class codes are hex ("09"); osquery reports udev's decimal TYPE ("9"). */
    static String decimal(String hex) {
        if (hex == null) return null;
        try {
            return Integer.toString(Integer.parseInt(hex, 16));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }
}
