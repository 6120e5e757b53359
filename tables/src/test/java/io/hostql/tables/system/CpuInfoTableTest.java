package io.hostql.tables.system;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuInfoTableTest {
    @Test
    void socketsCoresAndThreadsMatchLscpu() {
        assumeTrue(hasCommand("lscpu"), "lscpu (util-linux) is the witness");
        List<Map<String, Object>> r = rows("SELECT * FROM cpu_info");
        Map<String, Set<String>> cores = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        for (String line : run("lscpu", "-p=CPU,CORE,SOCKET").split("\n")) {
            if (line.startsWith("#") || line.isBlank()) continue;
            String[] f = line.split(",");
            cores.computeIfAbsent(f[2], k -> new HashSet<>()).add(f[1]);
            threads.merge(f[2], 1, Integer::sum);
        }
        if (Files.isReadable(Path.of("/sys/firmware/dmi/entries/4-0/raw"))) {
            assertThat(r).isNotEmpty(); // SMBIOS counts are the firmware's, not the kernel's
            return;
        }
        assertThat(r).hasSize(cores.size());
        for (Map<String, Object> row : r) {
            String socket = ((String) row.get("device_id")).substring(3);
            assertThat(row.get("number_of_cores")).isEqualTo(Integer.toString(cores.get(socket).size()));
            assertThat(row.get("logical_processors")).isEqualTo((long) threads.get(socket));
            assertThat(row.get("model")).isEqualTo(SystemInfoTableTest.lscpuField("Model name:"));
            assertThat(row.get("manufacturer")).isEqualTo(SystemInfoTableTest.lscpuField("Vendor ID:"));
            assertThat(row.get("processor_type")).isEqualTo("3");
            assertThat(row.get("cpu_status")).isEqualTo(65L);
            String modes = SystemInfoTableTest.lscpuField("CPU op-mode(s):");
            if (modes != null) assertThat(row.get("address_width")).isEqualTo(modes.contains("64-bit") ? "64" : "32");
            assertThat((Long) row.get("current_clock_speed")).isPositive();
        }
    }

    @Test
    void procfsFallbackGroupsCpusBySocket(@TempDir Path dir) throws Exception {
        Path proc = dir.resolve("proc"), cpu = dir.resolve("sys/devices/system/cpu");
        Files.createDirectories(proc);
        StringBuilder info = new StringBuilder();
        int[][] topo = {{0, 0}, {0, 0}, {0, 1}, {0, 1}, {1, 0}, {1, 0}, {1, 1}, {1, 1}}; // {package, core}
        for (int i = 0; i < topo.length; i++) {
            info.append("processor\t: ").append(i).append("\nvendor_id\t: GenuineIntel\nmodel name\t: Fake CPU ").append(topo[i][0])
                    .append("\ncpu MHz\t\t: 2400.499\nflags\t\t: fpu lm sse\n\n");
            Path t = cpu.resolve("cpu" + i + "/topology");
            Files.createDirectories(t);
            Files.writeString(t.resolve("physical_package_id"), topo[i][0] + "\n");
            Files.writeString(t.resolve("core_id"), topo[i][1] + "\n");
        }
        Files.writeString(proc.resolve("cpuinfo"), info);
        Files.writeString(cpu.resolve("online"), "0-5\n"); // 6 and 7 offline
        Files.createDirectories(cpu.resolve("cpu0/cpufreq"));
        Files.writeString(cpu.resolve("cpu0/cpufreq/cpuinfo_max_freq"), "3600000\n");
        List<Map<String, Object>> r = generate(new CpuInfoTable(proc, dir.resolve("sys")));
        assertThat(r).hasSize(2);
        assertThat(r.get(0)).containsEntry("device_id", "CPU0").containsEntry("model", "Fake CPU 0")
                .containsEntry("manufacturer", "GenuineIntel").containsEntry("number_of_cores", "2")
                .containsEntry("logical_processors", 4L).containsEntry("address_width", "64")
                .containsEntry("current_clock_speed", 2400L).containsEntry("max_clock_speed", 3600L);
        assertThat(r.get(0).get("socket_designation")).isEqualTo("CPU 0");
        assertThat(r.get(1)).containsEntry("device_id", "CPU1").containsEntry("model", "Fake CPU 1")
                .containsEntry("number_of_cores", "1").containsEntry("logical_processors", 2L);
        assertThat(r.get(1)).containsEntry("max_clock_speed", -1L).containsEntry("socket_designation", "CPU 1"); // no cpufreq: unknown
    }

    @Test
    void readsSmbiosProcessorRecords(@TempDir Path dir) throws Exception {
        byte[] formatted = new byte[0x30];
        formatted[0] = 4;
        formatted[1] = 0x30;
        formatted[0x04] = 1; // socket designation: string 1
        formatted[0x05] = 3; // central processor
        formatted[0x07] = 2; // manufacturer: string 2
        formatted[0x10] = 3; // version: string 3
        formatted[0x14] = (byte) 0x10; // max speed 0x0e10 = 3600 MHz
        formatted[0x15] = (byte) 0x0e;
        formatted[0x16] = (byte) 0x60; // current speed 0x0960 = 2400 MHz
        formatted[0x17] = (byte) 0x09;
        formatted[0x18] = 0x41;
        formatted[0x23] = 8;
        formatted[0x25] = 16;
        formatted[0x26] = 0x04; // 64-bit capable
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        raw.write(formatted);
        raw.write("CPU 1\0Intel(R) Corporation\0Intel(R) Xeon(R) CPU E5-2630 v4 @ 2.20GHz   \0\0".getBytes(StandardCharsets.ISO_8859_1));
        Path entry = dir.resolve("sys/firmware/dmi/entries/4-0");
        Files.createDirectories(entry);
        Files.write(entry.resolve("raw"), raw.toByteArray());
        Map<String, Object> r = generate(new CpuInfoTable(dir.resolve("proc"), dir.resolve("sys"))).get(0);
        assertThat(r).containsEntry("device_id", "CPU0").containsEntry("socket_designation", "CPU 1")
                .containsEntry("manufacturer", "Intel(R) Corporation")
                .containsEntry("model", "Intel(R) Xeon(R) CPU E5-2630 v4 @ 2.20GHz").containsEntry("processor_type", "3")
                .containsEntry("cpu_status", 65L).containsEntry("number_of_cores", "8")
                .containsEntry("logical_processors", 16L).containsEntry("address_width", "64")
                .containsEntry("current_clock_speed", 2400L).containsEntry("max_clock_speed", 3600L);
    }
}
