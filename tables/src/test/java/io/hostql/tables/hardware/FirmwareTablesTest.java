package io.hostql.tables.hardware;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.isRoot;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hardware-monitoring pack's firmware tables: acpi_tables against acpidump and md5sum, cpuid
 * against Debian's cpuid program (raw registers) and /proc/cpuinfo, smbios_tables against dmidecode
 * decoding the same blob. This VM has no SMBIOS (live, the table answers no rows here), so the blobs
 * come from a real generator, QEMU (see {@link QemuSmbios}), and, for the edge cases, from the test
 * itself, built from the SMBIOS specification's layouts.
 */
class FirmwareTablesTest {
    @Test
    void acpiTablesMatchAcpidumpAndMd5sum() {
        assumeTrue(isRoot(), "the ACPI table files are readable by root only");
        assumeTrue(Files.isDirectory(AcpiTablesTable.ACPI_TABLES), "no ACPI tables on this machine");
        assumeTrue(hasCommand("acpidump"), "acpidump (Debian package acpica-tools) is the witness");
        // acpidump -s: "ACPI: APIC 0x0000000000000000 000048 (v06 FIRECK ...)" — signature and length in hex
        Map<String, Long> lengths = new HashMap<>();
        Matcher m = Pattern.compile("ACPI: (\\S+) 0x[0-9A-Fa-f]+ ([0-9A-Fa-f]+) ").matcher(run("acpidump", "-s"));
        while (m.find()) lengths.put(m.group(1), Long.parseLong(m.group(2), 16));
        assertThat(lengths).isNotEmpty();
        List<Map<String, Object>> rows = rows("SELECT * FROM acpi_tables");
        Map<String, Long> ours = new HashMap<>();
        for (Map<String, Object> r : rows) {
            ours.put((String) r.get("name"), (Long) r.get("size"));
            String md5sum = run("md5sum", AcpiTablesTable.ACPI_TABLES.resolve((String) r.get("name")).toString()).split(" ")[0];
            assertThat(r.get("md5")).as((String) r.get("name")).isEqualTo(md5sum);
        }
        // acpidump names the FADT "FACP" as sysfs does; it also lists the FACS and RSDT/XSDT that sysfs may leave out
        for (Map.Entry<String, Long> e : ours.entrySet()) assertThat(lengths).containsEntry(e.getKey(), e.getValue());
        assertThat(rows("SELECT name FROM acpi_tables WHERE name LIKE 'DSDT'")).hasSize(1);
    }

    @Test
    void acpiTablesRecurseIntoCategoriesAndNoDirectoryGivesNoRows(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("APIC"), new byte[] {1, 2, 3});
        Files.createDirectories(dir.resolve("dynamic"));
        Files.writeString(dir.resolve("dynamic/SSDT1"), "abc");
        List<Map<String, Object>> r = generate(new AcpiTablesTable(dir));
        assertThat(r).extracting(x -> x.get("name")).containsExactly("APIC", "SSDT1");
        assertThat(r.get(1)).containsEntry("size", 3L).containsEntry("md5", "900150983cd24fb0d6963f7d28e17f72");
        assertThat(generate(new AcpiTablesTable(dir.resolve("none")))).isEmpty();
    }

    @Test
    void cpuidMatchesTheCpuidProgramsRawRegisters() {
        assumeTrue(isRoot(), "/dev/cpu/0/cpuid is readable by root only");
        assumeTrue(Files.exists(CpuidTable.DEVICE), "the kernel has no cpuid driver (CONFIG_X86_CPUID)");
        assumeTrue(hasCommand("cpuid"), "cpuid (Debian package cpuid) is the witness");
        // cpuid -1 -r -k: "   0x00000007 0x00: eax=0x... ebx=0x... ecx=0x... edx=0x..." per leaf and subleaf, through
        // the kernel's cpuid driver as hostql reads it. (-i, the instruction run in user space, answers differently on
        // this nested VM: another brand string and hypervisor id than the kernel and /proc/cpuinfo see.)
        Map<String, long[]> regs = new HashMap<>();
        Matcher m = Pattern.compile("0x([0-9a-f]{8}) 0x([0-9a-f]{2}): eax=0x([0-9a-f]{8}) ebx=0x([0-9a-f]{8}) ecx=0x([0-9a-f]{8}) edx=0x([0-9a-f]{8})")
                .matcher(run("cpuid", "-1", "-r", "-k"));
        while (m.find()) {
            regs.put(Long.parseLong(m.group(1), 16) + "/" + Integer.parseInt(m.group(2), 16), new long[] {
                Long.parseLong(m.group(3), 16), Long.parseLong(m.group(4), 16), Long.parseLong(m.group(5), 16), Long.parseLong(m.group(6), 16)});
        }
        List<Map<String, Object>> rows = rows("SELECT feature, value, output_register, output_bit, input_eax FROM cpuid");
        Map<String, Map<String, Object>> byFeature = new HashMap<>();
        for (Map<String, Object> r : rows) byFeature.put((String) r.get("feature"), r);
        long[] leaf0 = regs.get("0/0");
        assertThat(byFeature.get("vendor")).containsEntry("value", ascii(leaf0[1], leaf0[3], leaf0[2]));
        StringBuilder brand = new StringBuilder();
        for (long leaf = 0x80000002L; leaf <= 0x80000004L; leaf++) {
            long[] r = regs.get(leaf + "/0");
            brand.append(ascii(r[0], r[1], r[2], r[3]));
        }
        assertThat(byFeature.get("product_name")).containsEntry("value", brand.toString());
        assertThat(brand.toString().strip()).isEqualTo(cpuinfo("model name"));
        assertThat(byFeature.get("family")).containsEntry("value", String.format("%04x", regs.get("1/0")[0] & 0xf00));
        int checked = 0;
        for (Map<String, Object> r : rows) {
            String reg = (String) r.get("output_register");
            if (reg.contains(",") || reg.equals("eax")) continue; // the strings and the family, checked above
            long[] leaf = regs.get(r.get("input_eax") + "/0");
            if (leaf == null) continue; // a leaf beyond the CPU's maximum, which cpuid -r does not print
            long word = leaf[List.of("eax", "ebx", "ecx", "edx").indexOf(reg)];
            long bit = (Long) r.get("output_bit");
            assertThat(r.get("value")).as((String) r.get("feature")).isEqualTo(((word >> bit) & 1) == 1 ? "1" : "0");
            checked++;
        }
        assertThat(checked).isGreaterThan(40);
        // the kernel's own view agrees on flags both name the same way
        List<String> flags = List.of(cpuinfo("flags").split(" "));
        for (String f : List.of("pae", "sse", "sse2", "ssse3", "aes", "avx", "avx2", "hypervisor", "sha")) {
            String ours = (String) byFeature.get(f).get("value");
            String kernel = flags.contains(f.equals("sha") ? "sha_ni" : f) ? "1" : "0";
            assertThat(ours).as(f).isEqualTo(kernel);
        }
        assertThat(rows("SELECT value FROM cpuid WHERE feature LIKE 'sse4%'")).hasSize(2);
    }

    private static String cpuinfo(String key) {
        for (String line : run("cat", "/proc/cpuinfo").split("\n")) {
            if (line.startsWith(key)) return line.substring(line.indexOf(':') + 1).strip();
        }
        return null;
    }

    private static String ascii(long... regs) {
        StringBuilder sb = new StringBuilder();
        for (long r : regs) for (int i = 0; i < 4; i++) {
            char c = (char) ((r >> (8 * i)) & 0xff);
            if (c != 0) sb.append(c);
        }
        return sb.toString();
    }

    @Test
    void cpuidWithoutTheDriverGivesNoRows(@TempDir Path dir) throws Exception {
        assertThat(generate(new CpuidTable(dir.resolve("cpuid")))).isEmpty();
    }

    // ---- SMBIOS ------------------------------------------------------------------------------

    @Test
    void smbiosTablesLiveAreEmptyWithoutDmi() {
        if (Files.exists(Smbios.SYSFS_DMI)) {
            assertThat(rows("SELECT * FROM smbios_tables")).isNotEmpty();
        } else {
            assertThat(rows("SELECT * FROM smbios_tables")).isEmpty();
        }
    }

    @Test
    void smbiosStructuresMatchDmidecodeOfTheSameBlob(@TempDir Path dir) throws Exception {
        assumeTrue(hasCommand("dmidecode"), "dmidecode is the witness");
        List<byte[]> structures = List.of(
                // type 0 BIOS (SMBIOS 2.4 layout, 24 bytes): vendor, version, segment, date, ROM size, characteristics…
                structure(new byte[] {0, 0x18, 0x00, 0x00, 1, 2, 0x00, (byte) 0xe8, 3, 0x00, 0, 0, 0, 0, 0x08, 0, 0, 0, 0, 0, 1, 2, (byte) 0xff, (byte) 0xff},
                        "hostql vendor", "1.2.3", "12/06/2026"),
                // type 1 System (27 bytes): manufacturer, product, version, serial, UUID, wake-up type, SKU, family
                structure(concat(new byte[] {1, 0x1b, 0x00, 0x01, 1, 2, 3, 4}, new byte[16], new byte[] {6, 0, 0}), "Maker", "Product", "v1", "SN123"),
                // type 11 OEM strings: a count, then the strings
                structure(new byte[] {11, 5, 0x00, 0x0b, 2}, "oem one", "oem two"),
                // type 127 End-of-Table
                structure(new byte[] {127, 4, (byte) 0xff, (byte) 0xff}));
        byte[] tables = concat(structures.toArray(new byte[0][]));
        Path dmi = dir.resolve("DMI");
        Files.write(dmi, tables);
        Path dump = dir.resolve("dump.bin");
        Files.write(dump, concat(entryPoint(tables.length, structures.size()), tables));

        List<Map<String, Object>> rows = generate(new SmbiosTablesTable(dmi));
        // dmidecode: "Handle 0x0100, DMI type 1, 27 bytes" per structure
        List<String> witness = new ArrayList<>();
        Matcher m = Pattern.compile("Handle 0x([0-9A-F]{4}), DMI type (\\d+), (\\d+) bytes").matcher(run("dmidecode", "--from-dump", dump.toString()));
        while (m.find()) witness.add(Integer.parseInt(m.group(1), 16) + " " + m.group(2) + " " + m.group(3));
        assertThat(rows).extracting(r -> r.get("handle") + " " + r.get("type") + " " + r.get("header_size")).isEqualTo(witness);
        assertThat(rows).extracting(r -> r.get("description"))
                .containsExactly("BIOS Information", "System Information", "OEM Strings", "End-of-Table");
        assertThat(rows).extracting(r -> r.get("number")).containsExactly(0L, 1L, 2L, 3L);
        for (int i = 0; i < 3; i++) {
            assertThat(rows.get(i)).containsEntry("size", (long) structures.get(i).length)
                    .containsEntry("md5", HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(structures.get(i))));
        }
        // osquery's walk stops looking for the terminator 4 bytes before the end: the last structure keeps its header only
        assertThat(rows.get(3)).containsEntry("size", 4L);
        assertThat(run("dmidecode", "--from-dump", dump.toString(), "-t", "11")).contains("String 1: oem one");
        assertThat(generate(new SmbiosTablesTable(dir.resolve("missing")))).isEmpty();
    }

    @Test
    void smbiosTablesQemuBuiltMatchDmidecode(@TempDir Path dir) throws Exception {
        assumeTrue(hasCommand("qemu-system-x86_64"), "QEMU (Debian package qemu-system-x86) generates the SMBIOS tables");
        assumeTrue(hasCommand("dmidecode"), "dmidecode is the witness");
        QemuSmbios.Blob blob = QemuSmbios.generate("type=0,vendor=hostql BIOS,version=7.7,date=12/06/2026",
                "type=1,manufacturer=hostql,product=Test VM,serial=SN-42", "type=11,value=oem one,value=oem two");
        Path dmi = Files.write(dir.resolve("DMI"), blob.tables());
        // the entry point with its table address moved to 0x20, where the dump puts the tables (as dmidecode --dump-bin does)
        assertThat(new String(blob.anchor(), 0, 4, StandardCharsets.US_ASCII)).isEqualTo("_SM_");
        byte[] ep = java.util.Arrays.copyOf(blob.anchor(), 32);
        ep[0x18] = 0x20;
        ep[0x19] = ep[0x1a] = ep[0x1b] = 0;
        ep[0x15] = 0;
        ep[0x15] = checksum(ep, 0x10, 0x0f);
        ep[4] = 0;
        ep[4] = checksum(ep, 0, ep[5] & 0xff);
        Path dump = Files.write(dir.resolve("dump.bin"), concat(ep, blob.tables()));

        List<Map<String, Object>> rows = generate(new SmbiosTablesTable(dmi));
        List<String> witness = new ArrayList<>();
        String decoded = run("dmidecode", "--from-dump", dump.toString());
        Matcher m = Pattern.compile("Handle 0x([0-9A-F]{4}), DMI type (\\d+), (\\d+) bytes").matcher(decoded);
        while (m.find()) witness.add(Integer.parseInt(m.group(1), 16) + " " + m.group(2) + " " + m.group(3));
        assertThat(witness).hasSizeGreaterThan(5);
        assertThat(rows).extracting(r -> r.get("handle") + " " + r.get("type") + " " + r.get("header_size")).isEqualTo(witness);
        assertThat(decoded).contains("Vendor: hostql BIOS", "Serial Number: SN-42", "String 2: oem two");
        assertThat(rows).extracting(r -> r.get("description")).contains("BIOS Information", "System Information", "OEM Strings",
                "Processor Information", "Memory Device", "End-of-Table");
        long total = 0;
        for (Map<String, Object> r : rows) total += (Long) r.get("size");
        assertThat(total).isBetween(blob.tables().length - 2L, (long) blob.tables().length); // all bytes, bar the last terminator
    }

    @Test
    void smbiosHeaderLongerThanTheTableEndsTheWalk(@TempDir Path dir) throws Exception {
        Path dmi = dir.resolve("DMI");
        Files.write(dmi, concat(structure(new byte[] {11, 5, 0x00, 0x0b, 1}, "x"), new byte[] {4, (byte) 0x80, 0, 4, 0, 0, 0, 0}));
        assertThat(generate(new SmbiosTablesTable(dmi))).extracting(r -> r.get("type")).containsExactly(11L);
    }

    /** A formatted area followed by its strings, each NUL-terminated, and the closing NUL (two NULs when there are none). */
    private static byte[] structure(byte[] formatted, String... strings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(formatted);
        for (String s : strings) {
            out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
            out.write(0);
        }
        if (strings.length == 0) out.write(0);
        out.write(0);
        return out.toByteArray();
    }

    /** An SMBIOS 2.8 entry point whose table address is 0x20, the layout dmidecode --dump-bin writes and --from-dump reads. */
    private static byte[] entryPoint(int tableLength, int count) {
        byte[] ep = new byte[32];
        System.arraycopy("_SM_".getBytes(StandardCharsets.US_ASCII), 0, ep, 0, 4);
        ep[5] = 0x1f;
        ep[6] = 2;
        ep[7] = 8;
        ep[8] = 0x40;
        System.arraycopy("_DMI_".getBytes(StandardCharsets.US_ASCII), 0, ep, 16, 5);
        ep[22] = (byte) tableLength;
        ep[23] = (byte) (tableLength >> 8);
        ep[24] = 0x20;
        ep[28] = (byte) count;
        ep[30] = 0x28;
        ep[21] = checksum(ep, 16, 15);
        ep[4] = checksum(ep, 0, 31);
        return ep;
    }

    private static byte checksum(byte[] b, int from, int len) {
        int sum = 0;
        for (int i = from; i < from + len; i++) sum += b[i];
        return (byte) -sum;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
