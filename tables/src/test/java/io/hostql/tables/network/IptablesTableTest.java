package io.hostql.tables.network;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.tables.TableTests;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rules are added with iptables-legacy (x_tables, what the table reads) and removed in a finally: a user chain that
 * only port 59999/tcp jumps to, and an ACCEPT for 59998/udp on lo that local datagrams hit to move its counters.
 */
class IptablesTableTest {
    private static final String CHAIN = "HOSTQL_TEST";
    private static final String[] JUMP = {"INPUT", "-p", "tcp", "--dport", "59999", "-j", CHAIN};
    private static final String[] COUNTED = {"OUTPUT", "-o", "lo", "-p", "udp", "--dport", "59998", "-j", "ACCEPT"};

    private static void assumeLegacyIptables() {
        Assumptions.assumeTrue(TableTests.isRoot(), "needs root: reads and changes the kernel's iptables rules");
        Assumptions.assumeTrue(TableTests.hasCommand("iptables-legacy") && TableTests.hasCommand("iptables-legacy-save"),
                "needs iptables-legacy (Debian package iptables)");
    }

    private static String[] cmd(String op, String... rule) {
        String[] c = new String[rule.length + 2];
        c[0] = "iptables-legacy";
        c[1] = op;
        System.arraycopy(rule, 0, c, 2, rule.length);
        return c;
    }

    private static void cleanUp() {
        NetFixtures.quietly(cmd("-D", JUMP));
        NetFixtures.quietly(cmd("-D", COUNTED));
        NetFixtures.quietly("iptables-legacy", "-F", CHAIN);
        NetFixtures.quietly("iptables-legacy", "-X", CHAIN);
    }

    private static Map<String, Object> rule(String target, Object protocol, String srcPort, String dstPort, String srcIp,
            String srcMask, String iniface, String inifaceMask, String dstIp, String dstMask, String match) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("filter_name", "filter");
        m.put("chain", CHAIN);
        m.put("policy", "");
        m.put("target", target);
        m.put("protocol", protocol);
        m.put("src_port", srcPort);
        m.put("dst_port", dstPort);
        m.put("src_ip", srcIp);
        m.put("src_mask", srcMask);
        m.put("iniface", iniface);
        m.put("iniface_mask", inifaceMask);
        m.put("dst_ip", dstIp);
        m.put("dst_mask", dstMask);
        m.put("outiface", "all");
        m.put("outiface_mask", "");
        m.put("match", match);
        m.put("packets", 0L);
        m.put("bytes", 0L);
        return m;
    }

    @Test
    void rulesAddedWithIptablesAppearWithTheirColumns() throws Exception {
        assumeLegacyIptables();
        cleanUp();
        try {
            NetFixtures.sh("iptables-legacy", "-N", CHAIN);
            NetFixtures.sh("iptables-legacy", "-A", CHAIN, "-s", "10.9.8.0/24", "-i", "eth+", "-p", "tcp", "--dport", "59999", "-j", "ACCEPT");
            NetFixtures.sh("iptables-legacy", "-A", CHAIN, "!", "-s", "192.0.2.7", "!", "-i", "lo", "-p", "udp", "!", "--sport", "53", "-j", "RETURN");
            NetFixtures.sh("iptables-legacy", "-A", CHAIN, "!", "-p", "icmp", "-d", "198.51.100.0/25", "-j", "LOG");
            NetFixtures.sh("iptables-legacy", "-A", CHAIN, "-p", "tcp", "--sport", "1:1023", "-j", "RETURN");
            NetFixtures.sh(cmd("-A", JUMP));
            NetFixtures.sh(cmd("-A", COUNTED));

            List<Map<String, Object>> chain = rows("SELECT * FROM iptables WHERE filter_name = 'filter' AND chain = ?", CHAIN);
            Map<String, Object> chainRow = new HashMap<>();
            for (String c : new String[] {"target", "protocol", "src_port", "dst_port", "src_ip", "src_mask", "iniface",
                    "iniface_mask", "dst_ip", "dst_mask", "outiface", "outiface_mask", "match"}) {
                chainRow.put(c, null);
            }
            chainRow.put("filter_name", "filter");
            chainRow.put("chain", CHAIN);
            chainRow.put("policy", "");
            chainRow.put("packets", 0L);
            chainRow.put("bytes", 0L);
            assertThat(chain).containsExactly(
                    rule("ACCEPT", 6L, "0:65535", "59999:59999", "10.9.8.0", "255.255.255.0", "eth+", "FFFFFF",
                            "0.0.0.0", "0.0.0.0", "yes"),
                    rule("RETURN", 17L, "!53:53", "0:65535", "!192.0.2.7", "255.255.255.255", "!lo", "FFFFFF",
                            "0.0.0.0", "0.0.0.0", "yes"),
                    rule("LOG", "!1", "", "", "0.0.0.0", "0.0.0.0", "all", "", "198.51.100.0", "255.255.255.128", "no"),
                    rule("RETURN", 6L, "1:1023", "0:65535", "0.0.0.0", "0.0.0.0", "all", "", "0.0.0.0", "0.0.0.0", "yes"),
                    chainRow);

            assertThat(rows("SELECT policy, protocol, dst_port, match FROM iptables WHERE chain = 'INPUT' AND target = ?", CHAIN))
                    .containsExactly(Map.of("policy", policy("INPUT"), "protocol", 6L, "dst_port", "59999:59999", "match", "yes"));

            // Per-rule counters: three 10-byte datagrams over lo are 3 packets of 20 + 8 + 10 bytes.
            try (DatagramSocket s = new DatagramSocket()) {
                for (int i = 0; i < 3; i++) s.send(new DatagramPacket(new byte[10], 10, InetAddress.getByName("127.0.0.1"), 59998));
            }
            assertThat(rows("SELECT packets, bytes FROM iptables WHERE chain = 'OUTPUT' AND dst_port = '59998:59998'"))
                    .containsExactly(Map.of("packets", 3L, "bytes", 114L));

            assertChainsMatchIptablesSave();
        } finally {
            cleanUp();
        }
        assertThat(rows("SELECT * FROM iptables WHERE chain = ?", CHAIN)).isEmpty();
    }

    @Test
    void chainsAndPoliciesMatchIptablesSave() throws Exception {
        assumeLegacyIptables();
        assertChainsMatchIptablesSave();
    }

    @Test
    void noXtablesMeansNoRows(@TempDir Path dir) throws Exception {
        assertThat(generate(new IptablesTable(dir.resolve("ip_tables_names")))).isEmpty();
        Files.writeString(dir.resolve("empty"), "\n");
        assertThat(generate(new IptablesTable(dir.resolve("empty")))).isEmpty();
    }

    private static String policy(String chain) {
        for (String l : NetFixtures.sh("iptables-legacy-save", "-t", "filter").split("\n")) {
            if (l.startsWith(":" + chain + " ")) return l.split(" ")[1];
        }
        throw new AssertionError("no chain " + chain + " in iptables-legacy-save");
    }

    /** Every table, chain, policy and rule count as iptables-legacy-save prints them. */
    private static void assertChainsMatchIptablesSave() throws Exception {
        List<String> expected = new ArrayList<>();
        Map<String, Integer> ruleCount = new LinkedHashMap<>();
        Map<String, String> policies = new LinkedHashMap<>();
        String table = null;
        for (String l : NetFixtures.sh("iptables-legacy-save").split("\n")) {
            if (l.startsWith("*")) table = l.substring(1);
            else if (l.startsWith(":")) {
                String[] f = l.substring(1).split(" ");
                policies.put(table + "/" + f[0], f[1].equals("-") ? "" : f[1]);
                ruleCount.put(table + "/" + f[0], 0);
            } else if (l.startsWith("-A ")) {
                ruleCount.merge(table + "/" + l.split(" ")[1], 1, Integer::sum);
            }
        }
        for (String k : policies.keySet()) expected.add(k + "|" + policies.get(k) + "|" + ruleCount.get(k));
        Map<String, Integer> seen = new LinkedHashMap<>();
        Map<String, String> seenPolicy = new LinkedHashMap<>();
        for (Map<String, Object> r : rows("SELECT * FROM iptables")) {
            String k = r.get("filter_name") + "/" + r.get("chain");
            seenPolicy.put(k, (String) r.get("policy"));
            seen.merge(k, r.get("target") == null ? 0 : 1, Integer::sum);
        }
        List<String> actual = new ArrayList<>();
        for (String k : seen.keySet()) actual.add(k + "|" + seenPolicy.get(k) + "|" + seen.get(k));
        assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
    }
}
