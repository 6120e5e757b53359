package io.hostql.tables.system;

import static io.hostql.sql.table.ColumnType.TEXT;
import io.hostql.os.Libc;
import io.hostql.os.sysfs.SysFiles;
import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import io.hostql.tables.self.AgentInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/** system_info: the host's name, CPU, memory and SMBIOS (DMI) identity. */
public final class SystemInfoTable implements Table {
    private static final TableSchema SCHEMA = TableSchema.builder("system_info", "System information for identification.")
            .text("hostname").text("uuid").text("cpu_type").text("cpu_subtype").text("cpu_brand")
            .integer("cpu_physical_cores").integer("cpu_logical_cores").integer("cpu_sockets").text("cpu_microcode")
            .bigint("physical_memory").text("hardware_vendor").text("hardware_model").text("hardware_version")
            .text("hardware_serial").text("board_vendor").text("board_model").text("board_version").text("board_serial")
            .text("computer_name").text("local_hostname")
            .otherPlatform("windows", TEXT, "emulated_cpu_type")
            .build();

    private static final int AI_CANONNAME = 2;

    private final Path proc;
    private final Path sys;

    public SystemInfoTable() {
        this(Path.of("/proc"), Path.of("/sys"));
    }

    SystemInfoTable(Path proc, Path sys) {
        this.proc = proc;
        this.sys = sys;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) {
        RowSink.Row r = rows.add();
        byte[] uts = new byte[65 * 6];
        String machine = null;
        String nodename = SysFiles.read(proc.resolve("sys/kernel/hostname"));
        if (Libc.uname(uts) == 0) {
            machine = Libc.utsField(uts, 4);
            if (nodename == null) nodename = Libc.utsField(uts, 1);
        }
        // the resolver may go to DNS: only when the name is asked for
        boolean wantFqdn = ctx.isUsed("hostname") || ctx.isUsed("local_hostname");
        String fqdn = nodename == null || !wantFqdn ? nodename : canonicalName(nodename);
        r.set("hostname", fqdn).set("computer_name", nodename).set("local_hostname", fqdn);
        if (ctx.isUsed("uuid")) r.set("uuid", AgentInfo.hostUuid());
        r.set("cpu_type", machine);

        CpuInfo cpu = CpuInfo.read(proc.resolve("cpuinfo"), sys.resolve("devices/system/cpu"));
        r.set("cpu_subtype", cpu.firstModel() == null ? "0" : cpu.firstModel());
        r.set("cpu_brand", cpu.firstModelName());
        r.set("cpu_microcode", cpu.firstMicrocode());
        int logical = cpu.onlineCount();
        r.set("cpu_logical_cores", logical > 0 ? (long) logical : -1L);
        r.set("cpu_physical_cores", cpu.physicalCores() > 0 ? (long) cpu.physicalCores() : (long) logical);
        int sockets = cpu.sockets();
        if (sockets <= 0 && cpu.firstSiblings() > 0 && logical > 0) sockets = logical / cpu.firstSiblings();
        r.set("cpu_sockets", sockets > 0 ? (long) sockets : -1L);

        long pages = Libc.sysconf(Libc._SC_PHYS_PAGES);
        long pageSize = Libc.sysconf(Libc._SC_PAGESIZE);
        r.set("physical_memory", pages > 0 && pageSize > 0 ? pages * pageSize : -1L);

        // /sys/class/dmi/id mirrors the SMBIOS system (type 1) and board (type 2) strings osquery parses;
        // the serials are root-only there, as in the raw SMBIOS table.
        Path dmi = sys.resolve("class/dmi/id");
        String vendor = SysFiles.read(dmi.resolve("sys_vendor"));
        String model = SysFiles.read(dmi.resolve("product_name"));
        String version = SysFiles.read(dmi.resolve("product_version"));
        if (vendor != null && vendor.toLowerCase(Locale.ROOT).equals("lenovo")) {
            // Lenovo keeps the model name in Version and the SKU in Product Name; osquery swaps them.
            String t = model;
            model = version;
            version = t;
        }
        r.set("hardware_vendor", vendor).set("hardware_model", model).set("hardware_version", version)
                .set("hardware_serial", SysFiles.read(dmi.resolve("product_serial")))
                .set("board_vendor", SysFiles.read(dmi.resolve("board_vendor")))
                .set("board_model", SysFiles.read(dmi.resolve("board_name")))
                .set("board_version", SysFiles.read(dmi.resolve("board_version")))
                .set("board_serial", SysFiles.read(dmi.resolve("board_serial")));
    }

    /** The host's canonical name as the resolver sees it (getaddrinfo AI_CANONNAME), like `hostname -f`. */
    static String canonicalName(String host) {
        byte[] hints = new byte[64];
        hints[0] = AI_CANONNAME; // ai_flags, little-endian int at offset 0
        byte[] node = (host + "\0").getBytes(StandardCharsets.UTF_8);
        long[] res = new long[1];
        if (Libc.getaddrinfo(node, null, hints, res) != 0 || res[0] == 0) return host;
        com.sun.jna.Pointer ai = new com.sun.jna.Pointer(res[0]);
        try {
            // struct addrinfo on LP64: 4 ints, socklen_t + padding, ai_addr at 24, ai_canonname at 32.
            com.sun.jna.Pointer canon = ai.getPointer(32);
            String name = canon == null ? null : canon.getString(0, "UTF-8");
            return name == null || name.isEmpty() ? host : name;
        } finally {
            Libc.freeaddrinfo(ai);
        }
    }
}
