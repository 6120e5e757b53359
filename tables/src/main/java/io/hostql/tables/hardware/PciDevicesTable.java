package io.hostql.tables.hardware;

import io.hostql.os.ids.IdsDatabase;
import io.hostql.os.sysfs.SysFiles;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import io.hostql.tables.os.Dirs;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * pci_devices: /sys/bus/pci/devices, ids from each device's uevent (PCI_ID, PCI_SUBSYS_ID, PCI_CLASS),
 * names from pci.ids (Debian: the pci.ids package, pulled in by pciutils). Without pci.ids the names are
 * NULL and the ids are still there.
 */
public final class PciDevicesTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("pci_devices", "PCI devices active on the host system.")
            .text("pci_slot").text("pci_class").text("driver").text("vendor").text("vendor_id").text("model")
            .text("model_id").text("pci_class_id").text("pci_subclass_id").text("pci_subclass")
            .text("subsystem_vendor_id").text("subsystem_vendor").text("subsystem_model_id").text("subsystem_model")
            .build();

    private final Path devices;
    private final List<Path> idsFiles;

    public PciDevicesTable() {
        this(Path.of("/sys/bus/pci/devices"), IdsDatabase.PCI_IDS);
    }

    PciDevicesTable(Path devices, List<Path> idsFiles) {
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
        if (dirs.isEmpty()) return; // no PCI bus
        boolean names = ctx.isUsed("vendor") || ctx.isUsed("model") || ctx.isUsed("pci_class") || ctx.isUsed("pci_subclass")
                || ctx.isUsed("subsystem_vendor") || ctx.isUsed("subsystem_model");
        IdsDatabase db = names ? IdsDatabase.load(idsFiles) : IdsDatabase.EMPTY;
        for (Path dir : dirs) {
            Map<String, String> ev = uevent(dir);
            if (ev == null) continue; // unplugged while we looked
            RowSink.Row r = rows.add().set("pci_slot", ev.getOrDefault("PCI_SLOT_NAME", dir.getFileName().toString()))
                    .set("driver", ev.get("DRIVER"));
            String[] id = split(ev.get("PCI_ID"));
            if (id == null) {
                r.set("vendor_id", "0").set("model_id", "0"); // osquery's legacy value for an unparsable PCI_ID
            } else {
                r.set("vendor_id", "0x" + id[0]).set("model_id", "0x" + id[1])
                        .set("vendor", db.vendor(id[0])).set("model", db.device(id[0], id[1]));
                String[] sub = split(ev.get("PCI_SUBSYS_ID"));
                if (sub != null) {
                    r.set("subsystem_vendor_id", "0x" + sub[0]).set("subsystem_model_id", "0x" + sub[1])
                            .set("subsystem_vendor", db.vendor(sub[0]))
                            .set("subsystem_model", subsystemModel(db, id, sub));
                }
            }
            String cls = ev.get("PCI_CLASS");
            if (cls != null && (cls.length() == 5 || cls.length() == 6)) {
                cls = (cls.length() == 5 ? "0" + cls : cls).toLowerCase(Locale.ROOT);
                String c = cls.substring(0, 2), s = cls.substring(2, 4);
                r.set("pci_class_id", "0x" + c).set("pci_subclass_id", "0x" + s)
                        .set("pci_class", db.deviceClass(c)).set("pci_subclass", db.subclass(c, s));
            }
        }
    }

    /** The pci.ids subsystem entry; a subsystem with the device's own ids is the device (as pciutils names it). */
    private static String subsystemModel(IdsDatabase db, String[] id, String[] sub) {
        String name = db.subsystem(id[0], id[1], sub[0], sub[1]);
        if (name == null && id[0].equals(sub[0]) && id[1].equals(sub[1])) name = db.device(id[0], id[1]);
        return name;
    }

    private static Map<String, String> uevent(Path dir) {
        String text = SysFiles.readRaw(dir.resolve("uevent"));
        if (text == null) return null;
        Map<String, String> m = new HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) m.put(line.substring(0, eq), line.substring(eq + 1).strip());
        }
        return m;
    }

    /** "8086:0D57" -> {"8086", "0d57"}; null unless exactly one colon between two parts. */
    static String[] split(String ids) {
        if (ids == null) return null;
        ids = ids.toLowerCase(Locale.ROOT);
        int colon = ids.indexOf(':');
        if (colon <= 0 || colon == ids.length() - 1 || ids.indexOf(':', colon + 1) >= 0) return null;
        return new String[] {ids.substring(0, colon), ids.substring(colon + 1)};
    }
}
