package io.hostql.tables.scheduling;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static io.hostql.tables.TableTests.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemdUnitsTableTest {
    static void link(Path link, String target) throws Exception {
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, Path.of(target));
    }

    /** A small unit tree: enabled, static, disabled, alias, masked, template, generated and indirect units. */
    static Path unitTree(Path root) throws Exception {
        Path lib = root.resolve("lib/systemd/system");
        Path etc = root.resolve("etc/systemd/system");
        write(lib.resolve("foo.service"), String.join("\n",
                "# comment", "[Unit]", "Description=Foo daemon", "", "[Service]", "User=bob", "ExecStart=/usr/bin/foo \\",
                "  --flag", "", "[Install]", "WantedBy=multi-user.target", "Alias=foo-alias.service"));
        write(lib.resolve("bar.service"), "[Unit]\nDescription=Bar\n[Service]\nExecStart=/bin/true\n");
        write(lib.resolve("baz.timer"), "[Unit]\nDescription=Baz timer\n[Install]\nWantedBy=timers.target\n");
        write(lib.resolve("also.service"), "[Unit]\nDescription=Also\n[Install]\nAlso=baz.timer\n");
        write(lib.resolve("getty@.service"), "[Unit]\nDescription=Getty on %I\n[Install]\nWantedBy=getty.target\n");
        write(lib.resolve("multi-user.target"), "[Unit]\nDescription=Multi-User System\n");
        write(lib.resolve("README"), "not a unit");
        write(lib.resolve("multi-user.target.wants/bar.service"), "");
        link(lib.resolve("runlevel3.target"), "multi-user.target");
        link(lib.resolve("old.service"), "/dev/null");
        link(etc.resolve("foo-alias.service"), "/lib/systemd/system/foo.service");
        link(etc.resolve("multi-user.target.wants/foo.service"), "/lib/systemd/system/foo.service");
        link(etc.resolve("getty.target.wants/getty@tty1.service"), "/lib/systemd/system/getty@.service");
        link(etc.resolve("bar.service"), "/dev/null");
        write(etc.resolve("foo.service.d/10-desc.conf"), "[Unit]\nDescription=Foo daemon (overridden)\n[Install]\nWantedBy=x.target\n");
        write(root.resolve("run/systemd/generator/data.mount"), "[Unit]\nSourcePath=/etc/fstab\nDescription=/data\n");
        return root;
    }

    @Test
    void readsUnitFilesWithoutSystemd(@TempDir Path root) throws Exception {
        unitTree(root);
        List<Map<String, Object>> out = generate(new SystemdUnitsTable(root));
        Map<String, Map<String, Object>> byId = out.stream().collect(Collectors.toMap(r -> (String) r.get("id"), r -> r));
        assertThat(byId.keySet()).containsExactlyInAnyOrder("foo.service", "foo-alias.service", "bar.service", "baz.timer",
                "also.service", "getty@.service", "multi-user.target", "runlevel3.target", "old.service", "data.mount");
        Map<String, String> states = out.stream().collect(Collectors.toMap(r -> (String) r.get("id"), r -> (String) r.get("unit_file_state")));
        assertThat(states).containsEntry("foo.service", "enabled").containsEntry("foo-alias.service", "alias")
                .containsEntry("bar.service", "masked").containsEntry("baz.timer", "disabled")
                .containsEntry("also.service", "indirect").containsEntry("getty@.service", "enabled")
                .containsEntry("multi-user.target", "static").containsEntry("runlevel3.target", "alias")
                .containsEntry("old.service", "masked").containsEntry("data.mount", "generated");
        assertThat(byId.get("foo.service")).containsEntry("description", "Foo daemon (overridden)").containsEntry("user", "bob")
                .containsEntry("load_state", "loaded").containsEntry("fragment_path", root.resolve("lib/systemd/system/foo.service").toString())
                .containsEntry("object_path", "/org/freedesktop/systemd1/unit/foo_2eservice")
                .containsEntry("active_state", null).containsEntry("sub_state", null).containsEntry("job_id", null)
                .containsEntry("source_path", "");
        assertThat(byId.get("foo-alias.service")).containsEntry("fragment_path", root.resolve("lib/systemd/system/foo.service").toString());
        assertThat(byId.get("bar.service")).containsEntry("load_state", "masked").containsEntry("description", "bar.service");
        assertThat(byId.get("data.mount")).containsEntry("source_path", "/etc/fstab").containsEntry("description", "/data");
        assertThat(byId.get("getty@.service")).containsEntry("object_path", "/org/freedesktop/systemd1/unit/getty_40_2eservice");
    }

    @Test
    void objectPathsAreSdBusEncoded() {
        assertThat(Systemd.objectPath("systemd-journald.service")).isEqualTo("/org/freedesktop/systemd1/unit/systemd_2djournald_2eservice");
        assertThat(Systemd.objectPath("-.mount")).isEqualTo("/org/freedesktop/systemd1/unit/_2d_2emount");
        assertThat(Systemd.objectPath("0x.service")).isEqualTo("/org/freedesktop/systemd1/unit/_30x_2eservice");
    }

    @Test
    void matchesSystemctl() {
        Assumptions.assumeTrue(hasCommand("systemctl"), "needs systemctl as the witness");
        if (Systemd.booted()) {
            // systemd runs: the table lists its loaded units, as systemctl list-units --all does
            Set<String> expected = new TreeSet<>();
            for (String line : run("systemctl", "list-units", "--all", "--no-legend", "--plain").split("\n")) {
                if (!line.isBlank()) expected.add(line.trim().split("\\s+")[0]);
            }
            Set<String> actual = rows("SELECT id FROM systemd_units").stream().map(r -> (String) r.get("id"))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(actual).isEqualTo(expected);
            assertThat(rows("SELECT active_state FROM systemd_units WHERE id = 'systemd-journald.service'"))
                    .extracting(r -> r.get("active_state")).containsExactly("active");
            return;
        }
        // no systemd: unit files and their state, as systemctl list-unit-files reads them from disk
        Set<String> expected = new TreeSet<>();
        for (String line : run("systemctl", "list-unit-files", "--no-legend").split("\n")) {
            if (line.isBlank()) continue;
            String[] f = line.trim().split("\\s+");
            expected.add(f[0] + " " + f[1]);
        }
        Set<String> actual = rows("SELECT id, unit_file_state FROM systemd_units").stream()
                .map(r -> r.get("id") + " " + r.get("unit_file_state")).collect(Collectors.toCollection(TreeSet::new));
        assertThat(actual).isNotEmpty().isEqualTo(expected);
    }
}
