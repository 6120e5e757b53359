package io.hostql.tables.scheduling;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static io.hostql.tables.TableTests.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.tables.users.Passwd;
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

class StartupItemsTableTest {
    @Test
    void listsAutostartEntriesInitScriptsAndEnabledUnits(@TempDir Path root) throws Exception {
        SystemdUnitsTableTest.unitTree(root);
        write(root.resolve("home/alice/.config/autostart/app.desktop"), String.join("\n",
                "[Desktop Entry]", "Type=Application", "Name[de]=Anwendung", "Name=App", "Exec=/usr/bin/app --mode=fast %U", ""));
        write(root.resolve("home/alice/.config/autostart-scripts/run.sh"), "#!/bin/sh\n");
        write(root.resolve("etc/init.d/ssh"), "#!/bin/sh\n");
        write(root.resolve("etc/xdg/autostart/agent.desktop"), "[Desktop Entry]\nName=Agent\nExec=agent\n");
        StartupItemsTable table = new StartupItemsTable(root,
                () -> List.of(new Passwd.User("alice", 1000, 1000, "", "/home/alice", "/bin/sh"),
                        new Passwd.User("bob", 1001, 1001, "", "/nonexistent", "/bin/sh")),
                () -> null);
        List<Map<String, Object>> out = generate(table);
        assertThat(out).extracting(r -> r.get("name") + "|" + r.get("path") + "|" + r.get("type") + "|" + r.get("source") + "|"
                        + r.get("status") + "|" + r.get("username"))
                .containsExactlyInAnyOrder(
                        "App|/usr/bin/app --mode=fast %U|Startup Item|/home/alice/.config/autostart/|enabled|alice",
                        "run.sh|/home/alice/.config/autostart-scripts/run.sh|Startup Item|/home/alice/.config/autostart-scripts/|enabled|alice",
                        "ssh|/etc/init.d/ssh|Startup Item|/etc/init.d/|enabled|null",
                        "Agent|agent|Startup Item|/etc/xdg/autostart/|enabled|null",
                        "foo.service|" + root.resolve("lib/systemd/system/foo.service") + "|systemd unit||inactive|bob",
                        "getty@.service|" + root.resolve("lib/systemd/system/getty@.service") + "|systemd unit||inactive|",
                        "data.mount|" + root.resolve("run/systemd/generator/data.mount") + "|systemd unit|/etc/fstab|inactive|");
    }

    @Test
    void realHostInitScriptsAndUnits() {
        Set<String> initScripts = new TreeSet<>();
        try (var files = Files.list(Path.of("/etc/init.d"))) {
            files.filter(Files::isRegularFile).forEach(p -> initScripts.add(p.getFileName().toString()));
        } catch (java.io.IOException e) {
            // none
        }
        Set<String> actual = rows("SELECT name FROM startup_items WHERE source = '/etc/init.d/'").stream()
                .map(r -> (String) r.get("name")).collect(Collectors.toCollection(TreeSet::new));
        assertThat(actual).isEqualTo(initScripts);

        Assumptions.assumeTrue(hasCommand("systemctl") && !Systemd.booted(), "compares enabled unit files when systemd does not run");
        Set<String> enabled = new TreeSet<>();
        for (String line : run("systemctl", "list-unit-files", "--no-legend", "--state=enabled,enabled-runtime,generated,transient").split("\n")) {
            if (!line.isBlank()) enabled.add(line.trim().split("\\s+")[0]);
        }
        Set<String> units = rows("SELECT name FROM startup_items WHERE type = 'systemd unit'").stream()
                .map(r -> (String) r.get("name")).collect(Collectors.toCollection(TreeSet::new));
        assertThat(units).isNotEmpty().isEqualTo(enabled);
        // status is the active state (osquery's meaning): nothing runs them without systemd
        assertThat(rows("SELECT DISTINCT status FROM startup_items WHERE type = 'systemd unit'"))
                .extracting(r -> r.get("status")).containsExactly("inactive");
    }
}
