package io.hostql.tables.hardware;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PciDevicesTableTest {
    private static final Pattern NAME_ID = Pattern.compile("(.*) \\[([0-9a-f]{4,6})\\]");

    @Test
    void matchesLspci() {
        assumeTrue(Files.isDirectory(Path.of("/sys/bus/pci/devices")), "no PCI bus on this machine");
        assumeTrue(hasCommand("lspci"), "lspci (Debian package pciutils) is the witness");
        // lspci -vmm -nnk -D: one "Key:\tvalue [id]" record per device, names from the same pci.ids
        List<Map<String, String>> devices = new ArrayList<>();
        Map<String, String> cur = new HashMap<>();
        for (String line : run("lspci", "-vmm", "-nnk", "-D").split("\n")) {
            if (line.isBlank()) {
                if (!cur.isEmpty()) devices.add(cur);
                cur = new HashMap<>();
                continue;
            }
            int tab = line.indexOf(":\t");
            if (tab > 0) cur.put(line.substring(0, tab), line.substring(tab + 2));
        }
        if (!cur.isEmpty()) devices.add(cur);
        Map<String, Map<String, Object>> ours = new HashMap<>();
        for (Map<String, Object> r : rows("SELECT * FROM pci_devices")) ours.put((String) r.get("pci_slot"), r);
        assertThat(ours.keySet()).containsExactlyInAnyOrderElementsOf(devices.stream().map(d -> d.get("Slot")).toList());
        boolean haveIds = Files.isReadable(Path.of("/usr/share/misc/pci.ids"));
        for (Map<String, String> d : devices) {
            Map<String, Object> r = ours.get(d.get("Slot"));
            String slot = d.get("Slot");
            assertThat(r.get("driver")).as(slot).isEqualTo(d.get("Driver"));
            Matcher cls = NAME_ID.matcher(d.get("Class"));
            assertThat(cls.matches()).isTrue();
            assertThat(r.get("pci_class_id")).as(slot).isEqualTo("0x" + cls.group(2).substring(0, 2));
            assertThat(r.get("pci_subclass_id")).as(slot).isEqualTo("0x" + cls.group(2).substring(2, 4));
            Matcher v = NAME_ID.matcher(d.get("Vendor"));
            Matcher m = NAME_ID.matcher(d.get("Device"));
            assertThat(v.matches() && m.matches()).isTrue();
            assertThat(r.get("vendor_id")).as(slot).isEqualTo("0x" + v.group(2));
            assertThat(r.get("model_id")).as(slot).isEqualTo("0x" + m.group(2));
            if (d.containsKey("SVendor")) {
                Matcher sv = NAME_ID.matcher(d.get("SVendor"));
                assertThat(sv.matches()).isTrue();
                assertThat(r.get("subsystem_vendor_id")).as(slot).isEqualTo("0x" + sv.group(2));
                if (haveIds) assertThat(r.get("subsystem_vendor")).as(slot).isEqualTo(sv.group(1));
            }
            if (d.containsKey("SDevice")) {
                Matcher sd = NAME_ID.matcher(d.get("SDevice"));
                assertThat(sd.matches()).isTrue();
                assertThat(r.get("subsystem_model_id")).as(slot).isEqualTo("0x" + sd.group(2));
                boolean unknown = sd.group(1).equals("Device") || sd.group(1).equals("Device " + sd.group(2));
                if (haveIds) assertThat(r.get("subsystem_model")).as(slot).isEqualTo(unknown ? null : sd.group(1));
            }
            if (haveIds) {
                assertThat(r.get("vendor")).as(slot).isEqualTo(v.group(1));
                // lspci -nn shows "Device [0d57]" for an id pci.ids does not know
                boolean unknown = m.group(1).equals("Device") || m.group(1).equals("Device " + m.group(2));
                assertThat(r.get("model")).as(slot).isEqualTo(unknown ? null : m.group(1));
                // lspci's class label is the subclass name, or the class name when the subclass has none
                assertThat(r.get("pci_subclass") != null ? r.get("pci_subclass") : r.get("pci_class")).as(slot).isEqualTo(cls.group(1));
            }
        }
    }

    @Test
    void fakeSysfsTreeAndPciIds(@TempDir Path dir) throws Exception {
        Path devs = dir.resolve("devices");
        device(devs, "0000:00:00.0", "PCI_CLASS=60000\nPCI_ID=8086:0D57\nPCI_SUBSYS_ID=0000:0000\nPCI_SLOT_NAME=0000:00:00.0\n");
        device(devs, "0000:00:03.0", "DRIVER=virtio-pci\nPCI_CLASS=20000\nPCI_ID=1AF4:1000\nPCI_SUBSYS_ID=1AF4:0001\n"
                + "PCI_SLOT_NAME=0000:00:03.0\n");
        device(devs, "0000:00:04.0", "PCI_CLASS=FFFF00\nPCI_ID=bogus\nPCI_SLOT_NAME=0000:00:04.0\n");
        device(devs, "0000:00:05.0", "PCI_CLASS=20000\nPCI_ID=1AF4:1000\nPCI_SUBSYS_ID=1AF4:1000\nPCI_SLOT_NAME=0000:00:05.0\n");
        Path ids = dir.resolve("pci.ids");
        Files.writeString(ids, "#\tList of PCI ID's\n\n1af4  Red Hat, Inc.\n\t1000  Virtio network device\n"
                + "\t\t1af4 0001  Virtio network device (subsys)\n# comment\n8086  Intel Corporation\n\t0d56  Something else\n"
                + "ffff  Illegal Vendor ID\n\nC 02  Network controller\n\t00  Ethernet controller\n"
                + "C 06  Bridge\n\t00  Host bridge\n\t04  PCI bridge\n\t\t00  Normal decode\nC ff  Unassigned class\n");
        List<Map<String, Object>> r = generate(new PciDevicesTable(devs, List.of(dir.resolve("missing.ids"), ids)));
        assertThat(r).hasSize(4);
        assertThat(r.get(0)).containsEntry("pci_slot", "0000:00:00.0").containsEntry("vendor_id", "0x8086")
                .containsEntry("model_id", "0x0d57").containsEntry("vendor", "Intel Corporation").containsEntry("model", null)
                .containsEntry("pci_class_id", "0x06").containsEntry("pci_subclass_id", "0x00")
                .containsEntry("pci_class", "Bridge").containsEntry("pci_subclass", "Host bridge")
                .containsEntry("subsystem_vendor_id", "0x0000").containsEntry("subsystem_model_id", "0x0000")
                .containsEntry("driver", null);
        assertThat(r.get(1)).containsEntry("driver", "virtio-pci").containsEntry("vendor", "Red Hat, Inc.")
                .containsEntry("model", "Virtio network device").containsEntry("subsystem_vendor", "Red Hat, Inc.")
                .containsEntry("subsystem_model", "Virtio network device (subsys)").containsEntry("pci_class", "Network controller")
                .containsEntry("pci_subclass", "Ethernet controller");
        assertThat(r.get(2)).containsEntry("vendor_id", "0").containsEntry("model_id", "0").containsEntry("pci_class_id", "0xff")
                .containsEntry("pci_subclass_id", "0xff").containsEntry("pci_class", "Unassigned class").containsEntry("pci_subclass", null);
        // subsystem ids equal to the device's: the subsystem is the device itself
        assertThat(r.get(3)).containsEntry("subsystem_model", "Virtio network device");

        // no pci.ids at all: ids still filled, names NULL
        List<Map<String, Object>> bare = generate(new PciDevicesTable(devs, List.of(dir.resolve("missing.ids"))));
        assertThat(bare.get(1)).containsEntry("vendor_id", "0x1af4").containsEntry("vendor", null).containsEntry("model", null);
    }

    private static void device(Path devs, String slot, String uevent) throws Exception {
        Path d = devs.resolve(slot);
        Files.createDirectories(d);
        Files.writeString(d.resolve("uevent"), uevent);
    }
}
