package io.hostql.tables.system;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.generateWhere;
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

class SystemControlsTableTest {
    @Test
    void currentValuesMatchSysctl() {
        for (String name : List.of("kernel.hostname", "kernel.ostype", "kernel.osrelease", "net.ipv4.tcp_rmem",
                "vm.swappiness", "fs.file-max", "kernel.pid_max")) {
            List<Map<String, Object>> r = rows("SELECT * FROM system_controls WHERE name = ?", name);
            assertThat(r).as(name).hasSize(1);
            assertThat(r.get(0).get("current_value")).as(name).isEqualTo(run("sysctl", "-n", name).strip());
            assertThat(r.get(0)).containsEntry("subsystem", name.substring(0, name.indexOf('.')))
                    .containsEntry("type", "string").containsEntry("oid", null);
        }
    }

    @Test
    void listsEverySysctlTheToolLists() {
        // sysctl(8) writes a '.' inside a path component as '/'; osquery keeps the path's dots.
        Set<String> ours = new HashSet<>();
        for (Map<String, Object> r : rows("SELECT name FROM system_controls")) ours.add((String) r.get("name"));
        Set<String> theirs = new HashSet<>();
        for (String n : run("sysctl", "-a", "-N").split("\n")) if (!n.isBlank()) theirs.add(n.strip().replace('/', '.'));
        assertThat(theirs).isNotEmpty();
        assertThat(ours).containsAll(theirs);
        assertThat(rows("SELECT count(*) AS n FROM system_controls WHERE subsystem = 'kernel'").get(0).get("n"))
                .isEqualTo(ours.stream().filter(n -> n.startsWith("kernel.")).count());
    }

    @Test
    void configValueComesFromSysctlD() throws Exception {
        Path conf = Path.of("/usr/lib/sysctl.d/99-protect-links.conf");
        assumeTrue(Files.isReadable(conf) && !Files.exists(Path.of("/etc/sysctl.d/99-protect-links.conf")),
                "needs Debian's /usr/lib/sysctl.d/99-protect-links.conf (procps)");
        String expected = null;
        for (String line : Files.readAllLines(conf)) {
            if (line.startsWith("fs.protected_symlinks")) expected = line.substring(line.indexOf('=') + 1).strip();
        }
        assumeTrue(expected != null && !run("grep", "-rs", "protected_symlinks", "/etc/sysctl.conf", "/etc/sysctl.d").contains("="),
                "fs.protected_symlinks must be set only by the vendor file");
        assertThat(rows("SELECT config_value FROM system_controls WHERE name = 'fs.protected_symlinks'").get(0).get("config_value"))
                .isEqualTo(expected);
    }

    @Test
    void configFilesApplyInSystemdOrder(@TempDir Path dir) throws Exception {
        Path procSys = dir.resolve("proc/sys");
        Files.createDirectories(procSys.resolve("kernel"));
        Files.createDirectories(procSys.resolve("net/ipv4/conf/eth0.100"));
        Files.createDirectories(procSys.resolve("net/ipv4/conf/eth1"));
        Files.createDirectories(procSys.resolve("vm"));
        Files.writeString(procSys.resolve("kernel/hostname"), "box\n");
        Files.writeString(procSys.resolve("kernel/pid_max"), "4194304\n");
        Files.writeString(procSys.resolve("net/ipv4/conf/eth0.100/rp_filter"), "2\n");
        Files.writeString(procSys.resolve("net/ipv4/conf/eth1/rp_filter"), "0\n");
        Files.writeString(procSys.resolve("vm/swappiness"), "60\n");
        Path etc = dir.resolve("etc/sysctl.d"), usr = dir.resolve("usr/lib/sysctl.d"), conf = dir.resolve("etc/sysctl.conf");
        Files.createDirectories(etc);
        Files.createDirectories(usr);
        Files.writeString(usr.resolve("10-vendor.conf"), "# vendor\nkernel.pid_max = 1000\nvm.swappiness=5\n; old comment\n"
                + "net.ipv4.conf.*.rp_filter = 1\n");
        Files.writeString(usr.resolve("50-masked.conf"), "vm.swappiness = 99\n");
        Files.writeString(etc.resolve("50-masked.conf"), "\n"); // same name in /etc masks the vendor file
        Files.writeString(etc.resolve("60-local.conf"), "  -kernel/pid_max =   2000  \nnot a setting\n"
                + "net/ipv4/conf/eth1/rp_filter=3\nkernel.hostname = overridden-by-sysctl.conf\n");
        Files.writeString(conf, "kernel.hostname = fromconf\n");
        SystemControlsTable t = new SystemControlsTable(procSys, List.of(etc, usr), conf);
        List<Map<String, Object>> all = generate(t);
        assertThat(all).extracting(r -> r.get("name") + "=" + r.get("current_value") + "/" + r.get("config_value"))
                .containsExactlyInAnyOrder("kernel.hostname=box/fromconf", "kernel.pid_max=4194304/2000",
                        "net.ipv4.conf.eth0.100.rp_filter=2/1", "net.ipv4.conf.eth1.rp_filter=0/3", "vm.swappiness=60/5");

        // pushdown: one name reads one file; a name whose component holds a dot is found level by level
        assertThat(generateWhere(t, "name", "kernel.pid_max")).extracting(r -> r.get("current_value")).containsExactly("4194304");
        assertThat(generateWhere(t, "name", "net.ipv4.conf.eth0.100.rp_filter")).extracting(r -> r.get("current_value"))
                .containsExactly("2");
        assertThat(generateWhere(t, "name", "../../etc/passwd", "name", "kernel..x", "name", "kernel")).isEmpty();
        assertThat(generateWhere(t, "subsystem", "vm", "subsystem", "..")).extracting(r -> r.get("name")).containsExactly("vm.swappiness");
        assertThat(generateWhere(t, "oid", "1.2")).isEmpty();
    }
}
