package io.hostql.tables.hardware;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.Table;
import io.hostql.sql.table.TableSchema;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * cpuid: osquery's fixed list of CPU identification strings and feature bits. Java cannot execute the
 * CPUID instruction, so each leaf is read from the kernel's cpuid driver: a 16-byte pread of
 * /dev/cpu/0/cpuid at offset (subleaf << 32 | leaf) returns eax, ebx, ecx, edx. Rows, order and value
 * formats follow osquery's cpuid.cpp. No driver (or not root: the device is 0600) gives no rows.
 */
public final class CpuidTable implements Table {
    static final Path DEVICE = Path.of("/dev/cpu/0/cpuid");
    private static final int EAX = 0, EBX = 1, ECX = 2, EDX = 3;

    private static final TableSchema SCHEMA = TableSchema.builder("cpuid", "Useful CPU features from the cpuid ASM call.")
            .text("feature").text("value").text("output_register").integer("output_bit").text("input_eax")
            .build();

    /** osquery's kCPUFeatures, in its (std::map) leaf order: name, register, bit. */
    private static final Object[][] FEATURES = {
        {1L, new String[][] {
            {"pae", "edx", "6"}, {"msr", "edx", "5"}, {"sep", "edx", "11"}, {"mtrr", "edx", "12"}, {"pge", "edx", "13"},
            {"mca", "edx", "14"}, {"pat", "edx", "16"}, {"clfsh", "edx", "19"}, {"acpi", "edx", "22"}, {"mmz", "edx", "23"},
            {"sse", "edx", "25"}, {"sse2", "edx", "26"}, {"ss", "edx", "27"}, {"htt", "edx", "28"}, {"ia64", "edx", "30"},
            {"sse3", "ecx", "0"}, {"vmx", "ecx", "5"}, {"smx", "ecx", "6"}, {"ssse3", "ecx", "9"}, {"sdbg", "ecx", "11"},
            {"pdcm", "ecx", "15"}, {"pcid", "ecx", "17"}, {"dca", "ecx", "18"}, {"sse4.1", "ecx", "19"}, {"sse4.2", "ecx", "20"},
            {"aes", "ecx", "25"}, {"avx", "ecx", "28"}, {"hypervisor", "ecx", "31"}}},
        {7L, new String[][] {
            {"sgx", "ebx", "2"}, {"hle", "ebx", "4"}, {"avx2", "ebx", "5"}, {"smep", "ebx", "7"}, {"bmi2", "ebx", "8"},
            {"erms", "ebx", "9"}, {"invpcid", "ebx", "10"}, {"rtm", "ebx", "11"}, {"pqm", "ebx", "12"}, {"mpx", "ebx", "14"},
            {"pqe", "ebx", "15"}, {"avx512f", "ebx", "16"}, {"avx512dq", "ebx", "17"}, {"rdseed", "ebx", "18"}, {"adx", "ebx", "19"},
            {"smap", "ebx", "20"}, {"intel_pt", "ebx", "25"}, {"sha", "ebx", "29"},
            {"umip", "ecx", "2"}, {"pku", "ecx", "3"}, {"ospke", "ecx", "4"}, {"gfni", "ecx", "8"}, {"vaes", "ecx", "9"},
            {"sgx_lc", "ecx", "30"}, {"spec_ctrl", "edx", "26"}}},
        {0x80000001L, new String[][] {{"svm", "ecx", "2"}, {"ibs", "ecx", "10"}, {"skinit", "ecx", "12"}, {"lwp", "ecx", "15"}}},
    };

    /** One CPUID query: registers eax, ebx, ecx, edx for a leaf and subleaf. */
    interface Cpu {
        int[] cpuid(long leaf, long subleaf) throws IOException;
    }

    private final Path device;

    public CpuidTable() {
        this(DEVICE);
    }

    CpuidTable(Path device) {
        this.device = device;
    }

    @Override
    public TableSchema schema() {
        return SCHEMA;
    }

    @Override
    public void generate(QueryContext ctx, RowSink rows) throws IOException {
        if (!Files.isReadable(device)) return;
        try (FileChannel ch = FileChannel.open(device, StandardOpenOption.READ)) {
            generate(rows, (leaf, sub) -> {
                ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
                int n = ch.read(b, sub << 32 | leaf);
                if (n != 16) return new int[4]; // a leaf the CPU lacks: the driver refuses it, as CPUID answers zeros
                return new int[] {b.getInt(0), b.getInt(4), b.getInt(8), b.getInt(12)};
            });
        } catch (IOException e) {
            // open refused (no driver bound): no rows, as osquery on a CPU without CPUID
        }
    }

    static void generate(RowSink rows, Cpu cpu) throws IOException {
        int[] r = cpu.cpuid(0, 0);
        if (r[EAX] < 1) return;
        row(rows, "vendor", ascii(r[EBX], r[EDX], r[ECX]), "ebx,edx,ecx", "0");
        StringBuilder product = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            int[] p = cpu.cpuid(0x80000002L + i, 0);
            product.append(ascii(p[EAX], p[EBX], p[ECX], p[EDX]));
        }
        row(rows, "product_name", product.toString(), "eax,ebx,ecx,edx", "0x80000002");
        int[] hv = cpu.cpuid(0x40000000L, 0);
        if (hv[EAX] != 0) row(rows, "hypervisor_id", hex8(hv[EAX]) + hex8(hv[EBX]) + hex8(hv[ECX]), "ebx,ecx,edx", "0x40000000");
        int[] leaf1 = cpu.cpuid(1, 0);
        int[] leaf3 = cpu.cpuid(3, 0);
        row(rows, "serial", hex8(leaf1[EAX]) + hex8(leaf3[EAX]) + hex8(leaf3[EDX]), "eax,eax,ecx", "1,3");
        row(rows, "family", String.format("%04x", leaf1[EAX] & 0xf00), "eax", "1");
        for (Object[] set : FEATURES) {
            long leaf = (Long) set[0];
            int[] regs = cpu.cpuid(leaf, 0);
            for (String[] f : (String[][]) set[1]) {
                int reg = switch (f[1]) {
                    case "edx" -> regs[EDX];
                    case "ebx" -> regs[EBX];
                    default -> regs[ECX];
                };
                int bit = Integer.parseInt(f[2]);
                rows.add().set("feature", f[0]).set("value", (reg & (1 << bit)) != 0 ? "1" : "0").set("output_register", f[1])
                        .set("output_bit", (long) bit).set("input_eax", Long.toString(leaf));
            }
        }
        int[] sgx0 = cpu.cpuid(0x12, 0);
        row(rows, "sgx0", hex8(sgx0[EAX]) + hex8(sgx0[EBX]) + hex8(sgx0[ECX]) + hex8(sgx0[EDX]), "eax,ebx,ecx,edx", "18");
        int[] sgx1 = cpu.cpuid(0x12, 1);
        row(rows, "sgx1", hex8(sgx1[EAX]) + hex8(sgx1[EBX]) + hex8(sgx1[ECX]) + hex8(sgx1[EDX]), "eax,ebx,ecx,edx", "18,1");
    }

    private static void row(RowSink rows, String feature, String value, String registers, String inputEax) {
        rows.add().set("feature", feature).set("value", value).set("output_register", registers).set("output_bit", 0L).set("input_eax", inputEax);
    }

    private static String hex8(int v) {
        return String.format("%08x", v);
    }

    /** Registers as the 4 little-endian characters each holds; NULs (the padding of the brand string) dropped. */
    private static String ascii(int... regs) {
        ByteBuffer b = ByteBuffer.allocate(regs.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int r : regs) b.putInt(r);
        return new String(b.array(), StandardCharsets.ISO_8859_1).replace("\0", "");
    }
}
