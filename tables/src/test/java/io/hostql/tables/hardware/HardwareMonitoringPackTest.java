package io.hostql.tables.hardware;

import static io.hostql.tables.TableTests.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.tables.TableTests;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * osquery's hardware-monitoring pack, its Linux snapshot queries as the pack writes them, run
 * unmodified. (Its hardware_events query is evented: it runs in the daemon, see evented-tables.)
 */
class HardwareMonitoringPackTest {
    static final Map<String, String> QUERIES = new LinkedHashMap<>();

    static {
        QUERIES.put("acpi_tables", "select * from acpi_tables;");
        QUERIES.put("cpuid", "select feature, value, output_register, output_bit, input_eax from cpuid;");
        QUERIES.put("smbios_tables", "select * from smbios_tables;");
        QUERIES.put("kernel_info", "select * from kernel_info join hash using (path);");
        QUERIES.put("pci_devices", "select * from pci_devices;");
        QUERIES.put("usb_devices", "select * from usb_devices;");
        QUERIES.put("kernel_modules", "select * from kernel_modules;");
        QUERIES.put("device_nodes", "select file.path, uid, gid, mode, 0 as atime, mtime, ctime, block_size, mode, type from file where directory = '/dev/';");
    }

    @Test
    void everyLinuxQueryOfThePackRuns() {
        // rows() fails on any SQL error, such as "no such table": each query must run as written
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Map.Entry<String, String> q : QUERIES.entrySet()) counts.put(q.getKey(), rows(q.getValue()).size());
        assertThat(counts.get("device_nodes")).isPositive();
        assertThat(counts.get("cpuid")).isEqualTo(rows("select * from cpuid").size());
        if (TableTests.isRoot() && java.nio.file.Files.exists(CpuidTable.DEVICE)) {
            assertThat(counts.get("cpuid")).as("cpuid rows as root").isGreaterThan(50);
        }
        if (TableTests.isRoot() && java.nio.file.Files.isDirectory(AcpiTablesTable.ACPI_TABLES)) {
            assertThat(counts.get("acpi_tables")).as("acpi_tables rows as root").isPositive();
        }
    }
}
