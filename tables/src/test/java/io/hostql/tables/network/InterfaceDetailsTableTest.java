package io.hostql.tables.network;

import static io.hostql.tables.TableTests.rows;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hostql.tables.TableTests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class InterfaceDetailsTableTest {
    private static final Map<String, Long> FLAG_BITS = Map.ofEntries(Map.entry("UP", 0x1L), Map.entry("BROADCAST", 0x2L),
            Map.entry("DEBUG", 0x4L), Map.entry("LOOPBACK", 0x8L), Map.entry("POINTOPOINT", 0x10L),
            Map.entry("NOTRAILERS", 0x20L), Map.entry("NOARP", 0x80L), Map.entry("PROMISC", 0x100L),
            Map.entry("ALLMULTI", 0x200L), Map.entry("MASTER", 0x400L), Map.entry("SLAVE", 0x800L),
            Map.entry("MULTICAST", 0x1000L), Map.entry("PORTSEL", 0x2000L), Map.entry("AUTOMEDIA", 0x4000L),
            Map.entry("DYNAMIC", 0x8000L), Map.entry("LOWER_UP", 0x10000L), Map.entry("DORMANT", 0x20000L),
            Map.entry("ECHO", 0x40000L));
    private static final String[][] STATS = {{"ipackets", "rx", "packets"}, {"opackets", "tx", "packets"},
            {"ibytes", "rx", "bytes"}, {"obytes", "tx", "bytes"}, {"ierrors", "rx", "errors"}, {"oerrors", "tx", "errors"},
            {"idrops", "rx", "dropped"}, {"odrops", "tx", "dropped"}, {"collisions", "tx", "collisions"}};

    private static Map<String, JsonNode> links() {
        Map<String, JsonNode> out = new HashMap<>();
        for (JsonNode l : NetFixtures.json("ip", "-j", "-s", "link", "show")) out.put(l.get("ifname").asText(), l);
        return out;
    }

    private static void checkAgainstIpLink() throws Exception {
        Map<String, JsonNode> before = links();
        List<Map<String, Object>> rows = rows("SELECT * FROM interface_details");
        Map<String, JsonNode> after = links();
        assertThat(rows).extracting(r -> r.get("interface")).containsExactlyInAnyOrderElementsOf(after.keySet());
        for (Map<String, Object> r : rows) {
            String name = (String) r.get("interface");
            JsonNode l = after.get(name);
            assertThat(r.get("mtu")).as(name + " mtu").isEqualTo(l.get("mtu").asLong());
            String linkType = l.path("link_type").asText();
            if (linkType.equals("ether")) {
                assertThat(r.get("type")).as(name + " type").isEqualTo(1L);
                assertThat(r.get("mac")).as(name + " mac").isEqualTo(l.get("address").asText());
            } else if (linkType.equals("loopback")) {
                assertThat(r.get("type")).as(name + " type").isEqualTo(772L);
                assertThat(r.get("mac")).as(name + " mac").isEqualTo("00:00:00:00:00:00");
            }
            assertThat(r.get("type")).as(name + " type").isEqualTo(
                    Long.parseLong(Files.readString(Path.of("/sys/class/net", name, "type")).strip()));
            long flags = (Long) r.get("flags");
            for (Map.Entry<String, Long> f : FLAG_BITS.entrySet()) {
                boolean listed = false;
                for (JsonNode x : l.get("flags")) listed |= x.asText().equals(f.getKey());
                assertThat((flags & f.getValue()) != 0).as(name + " flag " + f.getKey()).isEqualTo(listed);
            }
            for (String[] s : STATS) {
                long lo = before.get(name).path("stats64").path(s[1]).path(s[2]).asLong();
                long hi = l.path("stats64").path(s[1]).path(s[2]).asLong();
                assertThat((Long) r.get(s[0])).as(name + " " + s[0]).isBetween(lo, hi);
            }
            assertThat(r.get("metric")).isEqualTo(0L);
            assertThat(r.get("last_change")).isEqualTo(-1L);
            Path device = Path.of("/sys/class/net", name, "device");
            if (name.equals("lo")) {
                assertThat(r.get("pci_slot")).isEqualTo("-1");
            } else if (Files.exists(device)) {
                // ethtool's bus_info is the device, or for virtio the virtio device's parent (the PCI function).
                Path dev = device.toRealPath();
                assertThat((String) r.get("pci_slot")).as(name + " pci_slot")
                        .isIn(dev.getFileName().toString(), dev.getParent().getFileName().toString());
            }
            Path speed = Path.of("/sys/class/net", name, "speed");
            if (l.get("flags").toString().contains("\"UP\"") && Files.isReadable(speed)) {
                long s;
                try {
                    s = Long.parseLong(Files.readString(speed).strip());
                } catch (java.io.IOException e) {
                    continue; // the driver has no speed to report
                }
                assertThat(r.get("link_speed")).as(name + " link_speed").isEqualTo(s < 0 ? 0L : s);
            }
        }
    }

    @Test
    void matchesIpLink() throws Exception {
        Assumptions.assumeTrue(TableTests.hasCommand("ip"), "needs ip (iproute2)");
        checkAgainstIpLink();
    }

    @Test
    void testLinkDetails() throws Exception {
        Assumptions.assumeTrue(TableTests.isRoot(), "needs root: creates a veth pair");
        Assumptions.assumeTrue(TableTests.hasCommand("ip"), "needs ip (iproute2)");
        try (NetFixtures.Veth v = new NetFixtures.Veth()) {
            Map<String, Object> r = rows("SELECT * FROM interface_details WHERE interface = ?", NetFixtures.Veth.LINK).get(0);
            assertThat(r).containsEntry("mac", "02:51:00:00:00:01").containsEntry("type", 1L).containsEntry("mtu", 1420L)
                    .containsEntry("link_speed", 10000L).containsEntry("pci_slot", "");
            assertThat((Long) r.get("flags") & 0x1003L).isEqualTo(0x1003L); // UP, BROADCAST, MULTICAST
            checkAgainstIpLink();
        }
    }
}
