package io.hostql.tables.system;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static io.hostql.tables.TableTests.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * This VM (Firecracker) has no DMI at all: the live table is empty. The decoding is checked on a type 0
 * structure the test builds, against dmidecode reading the same bytes (an SMBIOS dump around them).
 */
class PlatformInfoTableTest {
    /** An SMBIOS 2.8 BIOS Information structure: vendor, version and date strings, address 0xe800, 64 KiB ROM, revision 1.5. */
    static byte[] biosStructure() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] formatted = new byte[0x18];
        formatted[0] = 0; // type
        formatted[1] = 0x18; // length
        formatted[4] = 1; // vendor: string 1
        formatted[5] = 2; // version: string 2
        formatted[6] = 0x00; // starting address segment, low byte
        formatted[7] = (byte) 0xe8;
        formatted[8] = 3; // release date: string 3
        formatted[9] = 0; // ROM size: (0 + 1) * 64 KiB
        formatted[0x0a] = 0x08; // characteristics: PCI is supported
        formatted[0x14] = 1; // system BIOS major release
        formatted[0x15] = 5; // minor
        formatted[0x16] = (byte) 0xff; // no embedded controller
        formatted[0x17] = (byte) 0xff;
        b.writeBytes(formatted);
        for (String s : new String[] {"hostql firmware", "rel-1.16.2-test", "04/01/2014"}) {
            b.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
            b.write(0);
        }
        b.write(0);
        return b.toByteArray();
    }

    @Test
    void decodesTheBiosStructureAsOsqueryAndDmidecodeDo(@TempDir Path dir) throws Exception {
        byte[] bios = biosStructure();
        Path raw = dir.resolve("sys/firmware/dmi/entries/0-0/raw");
        Files.createDirectories(raw.getParent());
        Files.write(raw, bios);
        Files.createDirectories(dir.resolve("sys/firmware/dmi/entries/1-0")); // another type: ignored
        List<Map<String, Object>> out = generate(new PlatformInfoTable(dir.resolve("sys")));
        assertThat(out).hasSize(1);
        Map<String, Object> r = out.get(0);
        assertThat(r).containsEntry("vendor", "hostql firmware").containsEntry("version", "rel-1.16.2-test")
                .containsEntry("date", "04/01/2014").containsEntry("address", "0xe800").containsEntry("size", "65536")
                .containsEntry("revision", "1.5").containsEntry("volume_size", 0L).containsEntry("extra", "");

        Assumptions.assumeTrue(hasCommand("dmidecode"), "dmidecode (scripts/install-deps) is the witness");
        Path dump = dir.resolve("smbios.dump");
        Files.write(dump, dump(bios));
        String witness = run("dmidecode", "--from-dump", dump.toString(), "-t", "0");
        assertThat(witness).contains("Vendor: " + r.get("vendor"), "Version: " + r.get("version"), "Release Date: " + r.get("date"),
                "ROM Size: " + Long.parseLong((String) r.get("size")) / 1024 + " kB", "BIOS Revision: " + r.get("revision"));
        // dmidecode prints the segment as a linear address (segment * 16)
        assertThat(witness).contains("Address: 0x" + Integer.toHexString(Integer.decode((String) r.get("address")) * 16).toUpperCase());
    }

    @Test
    void withoutRawEntriesTheSysfsStringsAreUsed(@TempDir Path dir) throws Exception {
        Path id = dir.resolve("sys/class/dmi/id");
        write(id.resolve("bios_vendor"), "SeaBIOS\n");
        write(id.resolve("bios_version"), "1.16.2-debian-1.16.2-1\n");
        write(id.resolve("bios_date"), "04/01/2014\n");
        write(id.resolve("bios_release"), "0.0\n");
        assertThat(generate(new PlatformInfoTable(dir.resolve("sys")))).singleElement().satisfies(r -> assertThat(r)
                .containsEntry("vendor", "SeaBIOS").containsEntry("version", "1.16.2-debian-1.16.2-1").containsEntry("date", "04/01/2014")
                .containsEntry("revision", "0.0").containsEntry("address", null).containsEntry("size", null));
    }

    @Test
    void aHostWithoutDmiHasNoRows(@TempDir Path dir) throws Exception {
        assertThat(generate(new PlatformInfoTable(dir))).isEmpty();
        if (!Files.exists(Path.of("/sys/firmware/dmi")) && !Files.exists(Path.of("/sys/class/dmi/id"))) {
            assertThat(rows("SELECT * FROM platform_info")).isEmpty(); // this VM: no DMI, no rows, no error
        }
    }

    /** An SMBIOS 2.8 dump as dmidecode --dump-bin writes it: the 32-bit entry point, the table at offset 0x20. */
    static byte[] dump(byte[] table) {
        byte[] out = new byte[0x20 + table.length];
        byte[] ep = out;
        System.arraycopy("_SM_".getBytes(StandardCharsets.US_ASCII), 0, ep, 0, 4);
        ep[5] = 0x1f; // entry point length
        ep[6] = 2; // SMBIOS 2.8
        ep[7] = 8;
        ep[8] = (byte) table.length; // largest structure
        System.arraycopy("_DMI_".getBytes(StandardCharsets.US_ASCII), 0, ep, 0x10, 5);
        ep[0x16] = (byte) table.length;
        ep[0x17] = (byte) (table.length >> 8);
        ep[0x18] = 0x20; // table address: right after the entry point
        ep[0x1c] = 1; // one structure
        ep[0x1e] = 0x28; // BCD revision 2.8
        ep[0x15] = checksum(ep, 0x10, 0x1f);
        ep[4] = checksum(ep, 0, 0x1f);
        System.arraycopy(table, 0, out, 0x20, table.length);
        return out;
    }

    private static byte checksum(byte[] b, int from, int to) {
        int sum = 0;
        for (int i = from; i < to; i++) sum += b[i];
        return (byte) -sum;
    }
}
