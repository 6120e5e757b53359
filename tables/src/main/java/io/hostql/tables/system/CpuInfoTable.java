package io.hostql.tables.system;

import static io.hostql.sql.table.ColumnType.INTEGER;
import static io.hostql.sql.table.ColumnType.TEXT;
import io.hostql.os.Libc;
import io.hostql.os.sysfs.SysFiles;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * cpu_info: one row per processor socket. Like osquery it reads the SMBIOS processor records (type 4)
 * when the kernel exposes them (/sys/firmware/dmi/entries, root only); otherwise it derives the same
 * columns from /proc/cpuinfo and the sysfs CPU topology (osquery has no rows there): socket_designation
 * is then named from the physical id as QEMU's and most firmware's SMBIOS name sockets ("CPU 0"), and
 * max_clock_speed is -1 when cpufreq does not say (osquery's value for unknown).
 */
public final class CpuInfoTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("cpu_info", "Retrieve cpu hardware info of the machine.")
            .text("device_id").text("model").text("manufacturer").text("processor_type").integer("cpu_status")
            .text("number_of_cores").integer("logical_processors").text("address_width")
            .integer("current_clock_speed").integer("max_clock_speed").text("socket_designation")
            .otherPlatform("windows", TEXT, "availability").otherPlatform("windows", INTEGER, "load_percentage")
            .otherPlatform("darwin", INTEGER, "number_of_efficiency_cores", "number_of_performance_cores")
            .build();

    private static final int SMBIOS_PROCESSOR = 4;
    /** SMBIOS processor type 3: central processor. */
    private static final String CENTRAL_PROCESSOR = "3";
    /** SMBIOS status: socket populated (bit 6) and CPU enabled (1). */
    private static final long STATUS_POPULATED_ENABLED = 0x41;

    private final Path proc;
    private final Path sys;

    public CpuInfoTable() {
        this(Path.of("/proc"), Path.of("/sys"));
    }

    CpuInfoTable(Path proc, Path sys) {
        this.proc = proc;
        this.sys = sys;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        if (fromSmbios(sys.resolve("firmware/dmi/entries"), rows)) return;
        CpuInfo info = CpuInfo.read(proc.resolve("cpuinfo"), sys.resolve("devices/system/cpu"));
        int n = 0;
        for (CpuInfo.Package pkg : info.packages()) {
            CpuInfo.Cpu first = pkg.cpus().get(0);
            String flags = first.field("flags");
            String width;
            if (flags != null) {
                width = (" " + flags + " ").contains(" lm ") ? "64" : "32";
            } else {
                width = machine().contains("64") ? "64" : "32";
            }
            Long maxKhz = SysFiles.readLong(first.sysDir().resolve("cpufreq/cpuinfo_max_freq"));
            int index = n++;
            rows.add().set("device_id", "CPU" + index)
                    .set("model", first.field("model name"))
                    .set("manufacturer", first.field("vendor_id"))
                    .set("processor_type", CENTRAL_PROCESSOR)
                    .set("cpu_status", STATUS_POPULATED_ENABLED)
                    .set("number_of_cores", Integer.toString(pkg.cores()))
                    .set("logical_processors", (long) pkg.cpus().size())
                    .set("address_width", width)
                    .set("current_clock_speed", currentMhz(first))
                    .set("max_clock_speed", maxKhz == null ? -1L : kHzToMHz(maxKhz))
                    .set("socket_designation", "CPU " + (pkg.id() >= 0 ? pkg.id() : index)); // no physical id: the ordinal
        }
    }

    private static Long currentMhz(CpuInfo.Cpu cpu) {
        Long khz = SysFiles.readLong(cpu.sysDir().resolve("cpufreq/scaling_cur_freq"));
        if (khz != null) return kHzToMHz(khz);
        String mhz = cpu.field("cpu MHz");
        if (mhz == null) return null;
        try {
            return Math.round(Double.parseDouble(mhz));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Long kHzToMHz(Long khz) {
        return khz == null ? null : Math.round(khz / 1000.0);
    }

    private static String machine() {
        byte[] uts = new byte[65 * 6];
        return Libc.uname(uts) == 0 ? Libc.utsField(uts, 4) : "";
    }

    /** Rows from SMBIOS type 4 records; false when there are none to read. */
    boolean fromSmbios(Path entries, RowSink rows) {
        List<Path> records = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(entries, SMBIOS_PROCESSOR + "-*")) {
            for (Path p : ds) records.add(p);
        } catch (IOException | SecurityException e) {
            return false;
        }
        records.sort((a, b) -> Integer.compare(index(a), index(b)));
        List<byte[]> raws = new ArrayList<>();
        for (Path p : records) {
            byte[] raw = SysFiles.readBytes(p.resolve("raw"));
            if (raw == null) return false; // not root: fall back to procfs for every socket
            raws.add(raw);
        }
        if (raws.isEmpty()) return false;
        int n = 0;
        for (byte[] raw : raws) {
            if (raw.length < 0x30 || (raw[0] & 0xff) != SMBIOS_PROCESSOR || (raw[1] & 0xff) < 0x28) continue;
            int len = raw[1] & 0xff;
            int type = raw[0x05] & 0xff;
            RowSink.Row r = rows.add()
                    .set("socket_designation", dmiString(raw, len, raw[0x04] & 0xff))
                    .set("model", dmiString(raw, len, raw[0x10] & 0xff))
                    .set("manufacturer", dmiString(raw, len, raw[0x07] & 0xff))
                    .set("processor_type", Integer.toString(type))
                    .set("cpu_status", (long) (raw[0x18] & 0xff))
                    .set("number_of_cores", Integer.toString(raw[0x23] & 0xff))
                    .set("logical_processors", (long) (raw[0x25] & 0xff))
                    .set("address_width", (word(raw, 0x26) & (1 << 2)) != 0 ? "64" : "32")
                    .set("current_clock_speed", (long) word(raw, 0x16))
                    .set("max_clock_speed", (long) word(raw, 0x14));
            String friendly = switch (type) {
                case 3 -> "CPU";
                case 4 -> "MATH";
                case 5 -> "DSP";
                case 6 -> "GPU";
                default -> null;
            };
            if (friendly != null) r.set("device_id", friendly + n++);
        }
        return true;
    }

    private static int index(Path p) {
        String name = p.getFileName().toString();
        try {
            return Integer.parseInt(name.substring(name.indexOf('-') + 1));
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    private static int word(byte[] raw, int off) {
        return (raw[off] & 0xff) | (raw[off + 1] & 0xff) << 8;
    }

    /** String number idx (1-based) of the strings that follow the formatted area; null for 0 or out of range. */
    static String dmiString(byte[] raw, int formattedLength, int idx) {
        if (idx == 0) return null;
        int p = formattedLength;
        for (int i = 1; p < raw.length; i++) {
            int end = p;
            while (end < raw.length && raw[end] != 0) end++;
            if (end == p) return null; // the double NUL that ends the string set
            if (i == idx) return new String(raw, p, end - p, StandardCharsets.ISO_8859_1).stripTrailing();
            p = end + 1;
        }
        return null;
    }
}
