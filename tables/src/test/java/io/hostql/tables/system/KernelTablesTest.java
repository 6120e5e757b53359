package io.hostql.tables.system;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelTablesTest {
    @Test
    void kernelInfoMatchesUnameAndCmdline() throws Exception {
        Map<String, Object> r = rows("SELECT * FROM kernel_info").get(0);
        assertThat(r.get("version")).isEqualTo(run("uname", "-r").strip());
        List<String> rest = new ArrayList<>();
        String path = null, device = null;
        for (String arg : run("cat", "/proc/cmdline").strip().split(" +")) {
            if (arg.startsWith("BOOT_IMAGE=")) path = arg.substring(11);
            else if (arg.startsWith("root=")) device = arg.substring(5);
            else rest.add(arg);
        }
        assertThat(r.get("arguments")).isEqualTo(String.join(" ", rest));
        assertThat(r.get("path")).isEqualTo(path);
        assertThat(r.get("device")).isEqualTo(device);
    }

    @Test
    void kernelInfoSplitsBootImageAndRoot(@TempDir Path proc) throws Exception {
        Files.writeString(proc.resolve("cmdline"), "BOOT_IMAGE=/boot/vmlinuz-6.1.0-13-amd64 root=UUID=0a1b ro  quiet\n");
        Files.writeString(proc.resolve("version"), "Linux version 6.1.0-13-amd64 (debian-kernel@lists.debian.org) #1 SMP\n");
        Map<String, Object> r = generate(new KernelInfoTable(proc)).get(0);
        assertThat(r).containsEntry("path", "/boot/vmlinuz-6.1.0-13-amd64").containsEntry("device", "UUID=0a1b")
                .containsEntry("arguments", "ro quiet").containsEntry("version", "6.1.0-13-amd64");
    }

    @Test
    void kernelModulesParsesProcModules(@TempDir Path dir) throws Exception {
        Path modules = dir.resolve("modules");
        Files.writeString(modules, "snd_hda_intel 57344 3 - Live 0xffffffffc0a3d000\n"
                + "snd_hda_codec 184320 2 snd_hda_codec_generic,snd_hda_intel, Live 0xffffffffc09c0000\n"
                + "vboxdrv 696320 2 vboxnetadp,vboxnetflt, Live 0x0000000000000000 (OE)\n"
                + "broken line\n\n"
                + "loading_mod 4096 0 - Loading 0xffffffffc0000000\n");
        List<Map<String, Object>> r = generate(new KernelModulesTable(modules));
        assertThat(r).hasSize(4);
        assertThat(r.get(0)).containsEntry("name", "snd_hda_intel").containsEntry("size", 57344L)
                .containsEntry("used_by", "-").containsEntry("status", "Live").containsEntry("address", "0xffffffffc0a3d000");
        assertThat(r.get(1)).containsEntry("used_by", "snd_hda_codec_generic,snd_hda_intel");
        assertThat(r.get(2)).containsEntry("name", "vboxdrv").containsEntry("address", "0x0000000000000000");
        assertThat(r.get(3)).containsEntry("status", "Loading");
        assertThat(generate(new KernelModulesTable(dir.resolve("missing")))).isEmpty();
    }

    @Test
    void kernelModulesMatchLsmod() {
        List<Map<String, Object>> r = rows("SELECT name, size, used_by FROM kernel_modules");
        if (!Files.exists(Path.of("/proc/modules"))) {
            // a kernel built without loadable modules (CONFIG_MODULES=n) has nothing to list
            assertThat(r).isEmpty();
            return;
        }
        assumeTrue(hasCommand("lsmod"), "lsmod (kmod) is the witness");
        List<String> expected = new ArrayList<>();
        String[] lines = run("lsmod").split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].strip().split("\\s+");
            if (f.length >= 3) expected.add(f[0] + " " + f[1]);
        }
        assertThat(r).extracting(m -> m.get("name") + " " + m.get("size")).containsExactlyInAnyOrderElementsOf(expected);
    }
}
