package io.hostql.tables.hardware;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;

/**
 * smbios_tables: one row per SMBIOS structure (see {@link Smbios}): its order, type and osquery's name
 * for the type, handle, formatted length, whole size and md5. A host without DMI tables in sysfs
 * (virtual machines without SMBIOS, such as Firecracker) gives no rows.
 */
public final class SmbiosTablesTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("smbios_tables", "BIOS (DMI) structure common details and content.")
            .integer("number").integer("type").text("description").integer("handle").integer("header_size").integer("size").text("md5")
            .build();

    /** osquery's kSMBIOSTypeDescriptions. */
    static final Map<Integer, String> DESCRIPTIONS = Map.ofEntries(
            Map.entry(0, "BIOS Information"), Map.entry(1, "System Information"), Map.entry(2, "Base Board or Module Information"),
            Map.entry(3, "System Enclosure or Chassis"), Map.entry(4, "Processor Information"), Map.entry(5, "Memory Controller Information"),
            Map.entry(6, "Memory Module Information"), Map.entry(7, "Cache Information"), Map.entry(8, "Port Connector Information"),
            Map.entry(9, "System Slots"), Map.entry(10, "On Board Devices Information"), Map.entry(11, "OEM Strings"),
            Map.entry(12, "System Configuration Options"), Map.entry(13, "BIOS Language Information"), Map.entry(14, "Group Associations"),
            Map.entry(15, "System Event Log"), Map.entry(16, "Physical Memory Array"), Map.entry(17, "Memory Device"),
            Map.entry(18, "32-bit Memory Error Information"), Map.entry(19, "Memory Array Mapped Address"),
            Map.entry(20, "Memory Device Mapped Address"), Map.entry(21, "Built-in Pointing Device"), Map.entry(22, "Portable Battery"),
            Map.entry(23, "System Reset"), Map.entry(24, "Hardware Security"), Map.entry(25, "System Power Controls"),
            Map.entry(26, "Voltage Probe"), Map.entry(27, "Cooling Device"), Map.entry(28, "Temperature Probe"),
            Map.entry(29, "Electrical Current Probe"), Map.entry(30, "Out-of-Band Remote Access"), Map.entry(31, "Boot Integrity Services"),
            Map.entry(32, "System Boot Information"), Map.entry(33, "64-bit Memory Error Information"), Map.entry(34, "Management Device"),
            Map.entry(35, "Management Device Component"), Map.entry(36, "Management Device Threshold Data"), Map.entry(37, "Memory Channel"),
            Map.entry(38, "IPMI Device Information"), Map.entry(39, "System Power Supply"), Map.entry(40, "Additional Information"),
            Map.entry(41, "Onboard Devices Extended Info"), Map.entry(126, "Inactive"), Map.entry(127, "End-of-Table"),
            Map.entry(130, "Memory SPD Data"), Map.entry(131, "OEM Processor Type"), Map.entry(132, "OEM Processor Bus Speed"));

    private final Path dmi;

    public SmbiosTablesTable() {
        this(Smbios.SYSFS_DMI);
    }

    SmbiosTablesTable(Path dmi) {
        this.dmi = dmi;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws Exception {
        for (Smbios.Structure s : Smbios.read(dmi)) {
            rows.add().set("number", (long) s.index()).set("type", (long) s.type())
                    .set("description", DESCRIPTIONS.getOrDefault(s.type(), "Unknown"))
                    .set("handle", (long) s.handle()).set("header_size", (long) s.headerLength()).set("size", (long) s.data().length)
                    .set("md5", HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.data())));
        }
    }
}
