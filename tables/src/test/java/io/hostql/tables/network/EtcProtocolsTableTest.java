package io.hostql.tables.network;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.tables.TableTests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EtcProtocolsTableTest {
    @Test
    void parsesTrickyLines(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("protocols");
        Files.writeString(f, String.join("\n",
                "# Internet (IP) protocols",
                "",
                "ip\t0\tIP\t\t# internet protocol, pseudo protocol number",
                "  icmp 1 ICMP Icmp-Alt   # first alias only ## second part",
                "tcp 6",
                "# 17 udp commented out",
                "  # igmp 2 IGMP",
                "bogus x BOGUS",
                "lonely",
                "ipv6-crlf 41 IPv6\r",
                "udp 17 UDP #"));
        List<String> out = new ArrayList<>();
        for (Map<String, Object> r : generate(new EtcProtocolsTable(f))) {
            out.add(r.get("name") + "|" + r.get("number") + "|" + r.get("alias") + "|" + r.get("comment"));
        }
        assertThat(out).containsExactly(
                "ip|0|IP|internet protocol, pseudo protocol number",
                "icmp|1|ICMP|first alias only # second part",
                "tcp|6|null|null",
                "ipv6-crlf|41|IPv6|null",
                "udp|17|UDP|null");
    }

    @Test
    void missingFileIsEmpty(@TempDir Path dir) throws Exception {
        assertThat(generate(new EtcProtocolsTable(dir.resolve("absent")))).isEmpty();
    }

    @Test
    void realFileMatchesGetent() {
        Assumptions.assumeTrue(Files.exists(Path.of("/etc/protocols")), "needs /etc/protocols (Debian package netbase)");
        Assumptions.assumeTrue(TableTests.hasCommand("getent"), "needs getent");
        List<String> expected = new ArrayList<>();
        for (String l : TableTests.run("getent", "protocols").split("\n")) {
            if (l.isBlank()) continue;
            String[] f = l.trim().split("\\s+");
            expected.add(f[0] + "|" + f[1] + "|" + (f.length > 2 ? f[2] : null));
        }
        List<String> actual = new ArrayList<>();
        for (Map<String, Object> r : rows("SELECT * FROM etc_protocols")) {
            actual.add(r.get("name") + "|" + r.get("number") + "|" + r.get("alias"));
        }
        assertThat(expected).hasSizeGreaterThan(50);
        assertThat(actual).containsExactlyElementsOf(expected);
        assertThat(TableTests.value("SELECT number FROM etc_protocols WHERE name = 'udp'")).isEqualTo(17L);
    }
}
