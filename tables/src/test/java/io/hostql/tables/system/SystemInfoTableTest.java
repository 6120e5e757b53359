package io.hostql.tables.system;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemInfoTableTest {
    private static Map<String, Object> info() {
        List<Map<String, Object>> r = rows("SELECT * FROM system_info");
        assertThat(r).hasSize(1);
        return r.get(0);
    }

    @Test
    void namesMatchHostnameTool() {
        Map<String, Object> r = info();
        assertThat(r.get("computer_name")).isEqualTo(run("hostname").strip());
        String fqdn = run("hostname", "-f").strip();
        if (!fqdn.isEmpty()) assertThat(r.get("hostname")).isEqualTo(fqdn);
        assertThat(r.get("local_hostname")).isEqualTo(r.get("hostname"));
    }

    @Test
    void cpuAndMemoryMatchGetconfUnameAndLscpu() {
        Map<String, Object> r = info();
        assertThat(r.get("cpu_type")).isEqualTo(run("uname", "-m").strip());
        assertThat(r.get("cpu_logical_cores")).isEqualTo(Long.parseLong(run("getconf", "_NPROCESSORS_ONLN").strip()));
        long pages = Long.parseLong(run("getconf", "_PHYS_PAGES").strip());
        long pageSize = Long.parseLong(run("getconf", "PAGESIZE").strip());
        assertThat(r.get("physical_memory")).isEqualTo(pages * pageSize);

        assumeTrue(hasCommand("lscpu"), "lscpu (util-linux) is the witness for cores and sockets");
        Set<String> cores = new HashSet<>();
        Set<String> sockets = new HashSet<>();
        for (String line : run("lscpu", "-p=CPU,CORE,SOCKET").split("\n")) {
            if (line.startsWith("#") || line.isBlank()) continue;
            String[] f = line.split(",");
            cores.add(f[2] + "/" + f[1]);
            sockets.add(f[2]);
        }
        assertThat(r.get("cpu_physical_cores")).isEqualTo((long) cores.size());
        assertThat(r.get("cpu_sockets")).isEqualTo((long) sockets.size());
        String model = lscpuField("Model name:");
        if (model != null) assertThat(r.get("cpu_brand")).isEqualTo(model);
    }

    @Test
    void uuidIsTheHostUuidOsqueryInfoReports() {
        Object uuid = info().get("uuid");
        assertThat((String) uuid).matches("[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}");
        assertThat(rows("SELECT uuid FROM osquery_info").get(0).get("uuid")).isEqualTo(uuid);
    }

    @Test
    void dmiStringsAndCpuinfoFromFakeTrees(@TempDir Path dir) throws Exception {
        Path proc = dir.resolve("proc"), sys = dir.resolve("sys");
        Files.createDirectories(proc.resolve("sys/kernel"));
        Files.writeString(proc.resolve("sys/kernel/hostname"), "localhost\n");
        Files.writeString(proc.resolve("cpuinfo"), "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel\t\t: 85\n"
                + "model name\t: Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz  \nmicrocode\t: 0x2006b06\nsiblings\t: 4\n"
                + "physical id\t: 0\ncore id\t\t: 0\n\nprocessor\t: 1\nmodel\t\t: 99\nphysical id\t: 0\ncore id\t\t: 0\n\n"
                + "processor\t: 2\nphysical id\t: 1\ncore id\t\t: 0\n\nprocessor\t: 3\nphysical id\t: 1\ncore id\t\t: 1\n");
        Path dmi = sys.resolve("class/dmi/id");
        Files.createDirectories(dmi);
        Files.writeString(dmi.resolve("sys_vendor"), "LENOVO\n");
        Files.writeString(dmi.resolve("product_name"), "20HRCTO1WW\n");
        Files.writeString(dmi.resolve("product_version"), "ThinkPad X1 Carbon 5th\n");
        Files.writeString(dmi.resolve("board_vendor"), "LENOVO\n");
        Files.writeString(dmi.resolve("board_name"), "20HRCTO1WW\n");
        Files.writeString(dmi.resolve("board_serial"), "L1HF7AB00AB\n");
        Map<String, Object> r = generate(new SystemInfoTable(proc, sys)).get(0);
        assertThat(r.get("computer_name")).isEqualTo("localhost");
        // Lenovo's model is in the version string; osquery swaps them.
        assertThat(r.get("hardware_model")).isEqualTo("ThinkPad X1 Carbon 5th");
        assertThat(r.get("hardware_version")).isEqualTo("20HRCTO1WW");
        assertThat(r.get("hardware_vendor")).isEqualTo("LENOVO");
        assertThat(r.get("hardware_serial")).isNull();
        assertThat(r.get("board_model")).isEqualTo("20HRCTO1WW");
        assertThat(r.get("board_serial")).isEqualTo("L1HF7AB00AB");
        assertThat(r.get("board_version")).isNull();
        assertThat(r.get("cpu_brand")).isEqualTo("Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz");
        assertThat(r.get("cpu_subtype")).isEqualTo("85");
        assertThat(r.get("cpu_microcode")).isEqualTo("0x2006b06");
        // no sysfs topology: cpuinfo's physical/core ids give 2 sockets and 3 cores over 4 CPUs
        assertThat(r.get("cpu_logical_cores")).isEqualTo(4L);
        assertThat(r.get("cpu_physical_cores")).isEqualTo(3L);
        assertThat(r.get("cpu_sockets")).isEqualTo(2L);
    }

    static String lscpuField(String field) {
        for (String line : run("lscpu").split("\n")) {
            if (line.startsWith(field)) return line.substring(field.length()).strip();
        }
        return null;
    }
}
