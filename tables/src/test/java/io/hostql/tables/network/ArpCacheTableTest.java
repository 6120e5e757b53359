package io.hostql.tables.network;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.rows;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hostql.tables.TableTests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArpCacheTableTest {
    @Test
    void parsesProcNetArp(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("arp");
        Files.writeString(f, String.join("\n",
                "IP address       HW type     Flags       HW address            Mask     Device",
                "192.0.2.1        0x1         0x2         02:fc:00:00:00:05     *        eth0",
                "192.0.2.9        0x1         0x6         02:00:00:00:00:09     *        eth0",
                "192.0.2.10       0x1         0xc         00:00:00:00:00:00     *        eth1",
                "192.0.2.11       0x1         0x0         00:00:00:00:00:00     *        eth0",
                "truncated        0x1         0x2",
                ""));
        List<String> out = new ArrayList<>();
        for (Map<String, Object> r : generate(new ArpCacheTable(f))) {
            out.add(r.get("address") + "|" + r.get("mac") + "|" + r.get("interface") + "|" + r.get("permanent"));
        }
        assertThat(out).containsExactly(
                "192.0.2.1|02:fc:00:00:00:05|eth0|0",
                "192.0.2.9|02:00:00:00:00:09|eth0|1",
                "192.0.2.10|00:00:00:00:00:00|eth1|1",
                "192.0.2.11|00:00:00:00:00:00|eth0|0");
    }

    @Test
    void matchesIpNeigh() {
        Assumptions.assumeTrue(TableTests.hasCommand("ip"), "needs ip (iproute2)");
        Set<String> witness = neighbours();
        Set<String> table = new HashSet<>();
        for (Map<String, Object> r : rows("SELECT * FROM arp_cache WHERE mac != '00:00:00:00:00:00'")) {
            table.add(r.get("address") + "|" + r.get("mac") + "|" + r.get("interface"));
        }
        assertThat(table).isEqualTo(witness);
    }

    @Test
    void permanentEntryOnATestLink() {
        Assumptions.assumeTrue(TableTests.isRoot(), "needs root: creates a veth pair");
        Assumptions.assumeTrue(TableTests.hasCommand("ip"), "needs ip (iproute2)");
        try (NetFixtures.Veth v = new NetFixtures.Veth()) {
            assertThat(rows("SELECT mac, interface, permanent FROM arp_cache WHERE address = '198.51.100.9'"))
                    .containsExactly(Map.of("mac", "02:51:00:00:00:09", "interface", NetFixtures.Veth.LINK, "permanent", "1"));
            assertThat(neighbours()).contains("198.51.100.9|02:51:00:00:00:09|" + NetFixtures.Veth.LINK);
        }
    }

    /** IPv4 neighbours with a link-layer address, as iproute2 lists them. */
    private static Set<String> neighbours() {
        Set<String> out = new HashSet<>();
        for (JsonNode n : NetFixtures.json("ip", "-j", "-4", "neigh", "show")) {
            if (!n.has("lladdr")) continue;
            boolean noarp = false;
            for (JsonNode s : n.path("state")) noarp |= s.asText().equals("NOARP");
            if (!noarp) out.add(n.get("dst").asText() + "|" + n.get("lladdr").asText() + "|" + n.get("dev").asText());
        }
        return out;
    }
}
