package io.hostql.tables.network;

import static io.hostql.tables.TableTests.rows;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.hostql.tables.TableTests;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class RoutesTableTest {
    /** destination/netmask|gateway|source|interface|metric|type, from iproute2 for every table and both families. */
    private static List<String> witness() {
        List<String> out = new ArrayList<>();
        for (String family : new String[] {"-4", "-6"}) {
            for (JsonNode r : NetFixtures.json("ip", "-j", family, "route", "show", "table", "all")) {
                String dst = r.get("dst").asText();
                boolean v4 = family.equals("-4");
                if (dst.equals("default")) dst = v4 ? "0.0.0.0/0" : "::/0";
                else if (!dst.contains("/")) dst += v4 ? "/32" : "/128";
                String type = switch (r.path("type").asText("unicast")) {
                    case "unicast" -> "gateway";
                    case "local" -> "local";
                    case "broadcast" -> "broadcast";
                    case "anycast" -> "anycast";
                    default -> "other";
                };
                out.add(dst + "|" + text(r, "gateway") + "|" + text(r, "prefsrc") + "|" + text(r, "dev") + "|"
                        + r.path("metric").asLong(0) + "|" + type);
            }
        }
        return out;
    }

    private static String text(JsonNode n, String field) {
        return n.has(field) ? n.get(field).asText() : null;
    }

    private static List<String> table() {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> r : rows("SELECT * FROM routes")) {
            out.add(r.get("destination") + "/" + r.get("netmask") + "|" + r.get("gateway") + "|" + r.get("source") + "|"
                    + r.get("interface") + "|" + r.get("metric") + "|" + r.get("type"));
        }
        return out;
    }

    @Test
    void matchesIpRouteForAllTables() {
        Assumptions.assumeTrue(TableTests.hasCommand("ip"), "needs ip (iproute2)");
        List<String> table = table();
        assertThat(table).containsExactlyInAnyOrderElementsOf(witness());
        assertThat(table).anyMatch(r -> r.startsWith("127.0.0.1/32|null|127.0.0.1|lo|0|local"));
    }

    @Test
    void testRouteWithMetricsAndTypeFilter() {
        Assumptions.assumeTrue(TableTests.isRoot(), "needs root: creates a veth pair and a route");
        Assumptions.assumeTrue(TableTests.hasCommand("ip"), "needs ip (iproute2)");
        try (NetFixtures.Veth v = new NetFixtures.Veth()) {
            assertThat(rows("SELECT netmask, gateway, interface, metric, mtu, hopcount, type, flags FROM routes"
                    + " WHERE destination = '203.0.113.0'")).containsExactly(Map.of("netmask", 24L, "gateway", "198.51.100.2",
                    "interface", NetFixtures.Veth.LINK, "metric", 77L, "mtu", 1280L, "hopcount", 9L, "type", "gateway",
                    "flags", 0L));
            assertThat(rows("SELECT destination FROM routes WHERE type = 'local' AND interface = ?", NetFixtures.Veth.LINK))
                    .extracting(r -> r.get("destination")).contains("198.51.100.1", "2001:db8:51::1");
            assertThat(table()).containsExactlyInAnyOrderElementsOf(witness());
        }
    }
}
