package io.hostql.tables.network;

import static io.hostql.tables.TableTests.rows;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hostql.tables.TableTests;
import io.hostql.tables.os.Inet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class InterfaceAddressesTableTest {
    /** interface|address|mask|broadcast from iproute2; IPv4 rows carry the address label, as getifaddrs names them. */
    private static Set<String> witness() {
        Set<String> out = new HashSet<>();
        for (JsonNode link : NetFixtures.json("ip", "-j", "addr", "show")) {
            for (JsonNode a : link.path("addr_info")) {
                boolean v4 = a.get("family").asText().equals("inet");
                String name = v4 && a.has("label") ? a.get("label").asText() : link.get("ifname").asText();
                String addr = a.get("local").asText();
                if (!v4 && addr.startsWith("fe80:")) addr += "%" + link.get("ifname").asText();
                out.add(name + "|" + addr + "|" + mask(v4, a.get("prefixlen").asInt()) + "|"
                        + (a.has("broadcast") ? a.get("broadcast").asText() : null));
            }
        }
        return out;
    }

    static String mask(boolean v4, int prefix) {
        byte[] m = new byte[v4 ? 4 : 16];
        for (int i = 0; i < prefix; i++) m[i / 8] |= (byte) (0x80 >> (i % 8));
        return v4 ? Inet.ntop4(m, 0) : Inet.ntop6(m, 0);
    }

    private static Set<String> table() {
        Set<String> out = new HashSet<>();
        for (Map<String, Object> r : rows("SELECT * FROM interface_addresses")) {
            assertThat(r.get("type")).isEqualTo("unknown");
            out.add(r.get("interface") + "|" + r.get("address") + "|" + r.get("mask") + "|" + r.get("broadcast"));
        }
        return out;
    }

    @Test
    void matchesIpAddr() {
        Assumptions.assumeTrue(TableTests.hasCommand("ip"), "needs ip (iproute2)");
        Set<String> table = table();
        assertThat(table).isEqualTo(witness());
        assertThat(table).contains("lo|127.0.0.1|255.0.0.0|null",
                "lo|::1|ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff|null");
        // glibc's getifaddrs leaves lo's own address in the broadcast/peer slot; lo is not IFF_BROADCAST.
        assertThat(rows("SELECT point_to_point FROM interface_addresses WHERE interface = 'lo' AND address = '127.0.0.1'"))
                .containsExactly(Map.of("point_to_point", "127.0.0.1"));
    }

    @Test
    void testLinkAddresses() {
        Assumptions.assumeTrue(TableTests.isRoot(), "needs root: creates a veth pair");
        Assumptions.assumeTrue(TableTests.hasCommand("ip"), "needs ip (iproute2)");
        try (NetFixtures.Veth v = new NetFixtures.Veth()) {
            List<Map<String, Object>> r = rows("SELECT address, mask, broadcast, point_to_point FROM interface_addresses"
                    + " WHERE interface = ? ORDER BY address", NetFixtures.Veth.LINK);
            Map<String, Object> v4 = new HashMap<>();
            v4.put("address", "198.51.100.1");
            v4.put("mask", "255.255.255.0");
            v4.put("broadcast", "198.51.100.255");
            v4.put("point_to_point", null);
            Map<String, Object> v6 = new HashMap<>(v4);
            v6.put("address", "2001:db8:51::1");
            v6.put("mask", "ffff:ffff:ffff:ffff::");
            v6.put("broadcast", null);
            assertThat(r).containsExactly(v4, v6);
            assertThat(table()).isEqualTo(witness());
        }
    }
}
