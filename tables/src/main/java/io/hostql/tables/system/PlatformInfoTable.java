package io.hostql.tables.system;

import io.hostql.os.sysfs.SysFiles;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * platform_info: the firmware (BIOS) from the SMBIOS type 0 structure, as osquery decodes it. The kernel gives
 * each SMBIOS structure as /sys/firmware/dmi/entries/T-N/raw (root only); without those (not root) the
 * strings come from /sys/class/dmi/id/bios_* and address and size stay NULL. A host without DMI (a
 * Firecracker VM) has no rows, as in osquery. firmware_type is filled by osquery on macOS only.
 */
public final class PlatformInfoTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("platform_info", "Information about EFI/UEFI/ROM and platform/boot.")
            .text("vendor").text("version").text("date").text("revision").text("extra").text("firmware_type")
            .text("address").text("size").integer("volume_size")
            .build();

    private final Path sys;

    public PlatformInfoTable() {
        this(Path.of("/sys"));
    }

    PlatformInfoTable(Path sys) {
        this.sys = sys;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws IOException {
        List<byte[]> structures = biosStructures(sys.resolve("firmware/dmi/entries"));
        if (!structures.isEmpty()) {
            for (byte[] s : structures) fromSmbios(s, rows);
            return;
        }
        Path id = sys.resolve("class/dmi/id");
        String vendor = SysFiles.read(id.resolve("bios_vendor"));
        String version = SysFiles.read(id.resolve("bios_version"));
        String date = SysFiles.read(id.resolve("bios_date"));
        if (vendor == null && version == null && date == null) return;
        rows.add().set("vendor", vendor == null ? "" : vendor).set("version", version == null ? "" : version)
                .set("date", date == null ? "" : date).set("revision", SysFiles.read(id.resolve("bios_release")))
                .set("extra", "").set("volume_size", 0);
    }

    /** The readable type 0 structures (entries "0-0", "0-1", ...), in order. */
    private static List<byte[]> biosStructures(Path entries) throws IOException {
        List<byte[]> out = new ArrayList<>();
        if (!Files.isDirectory(entries)) return out;
        try (Stream<Path> s = Files.list(entries)) {
            for (Path e : s.filter(p -> p.getFileName().toString().startsWith("0-")).sorted().toList()) {
                byte[] raw = SysFiles.readBytes(e.resolve("raw"));
                if (raw != null && raw.length > 0 && raw[0] == 0) out.add(raw);
            }
        }
        return out;
    }

    /** osquery's genPlatformInfo: strings by index, address as a word, size in 64 KiB blocks, revision major.minor. */
    static void fromSmbios(byte[] s, RowSink rows) {
        int length = s.length > 1 ? s[1] & 0xff : 0;
        if (length < 0x0a || s.length <= 0x15) return; // osquery skips a structure too short for its offsets
        int address = (s[0x06] & 0xff) | (s[0x07] & 0xff) << 8;
        long size = (long) ((s[0x09] & 0xff) + 1 << 6) * 1024;
        rows.add().set("vendor", string(s, length, s[0x04])).set("version", string(s, length, s[0x05]))
                .set("date", string(s, length, s[0x08])).set("address", String.format("0x%04x", address))
                .set("size", Long.toString(size)).set("revision", (s[0x14] & 0xff) + "." + (s[0x15] & 0xff))
                .set("volume_size", 0).set("extra", "");
    }

    /** String number n of the structure's strings, "" for none (osquery's dmiString). */
    private static String string(byte[] s, int length, byte n) {
        String v = CpuInfoTable.dmiString(s, length, n & 0xff);
        return v == null ? "" : v;
    }
}
