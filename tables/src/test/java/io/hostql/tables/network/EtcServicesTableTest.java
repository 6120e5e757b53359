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

class EtcServicesTableTest {
    private static String line(Map<String, Object> r) {
        return r.get("name") + "|" + r.get("port") + "|" + r.get("protocol") + "|" + r.get("aliases") + "|" + r.get("comment");
    }

    @Test
    void parsesTrickyLines(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("services");
        Files.writeString(f, String.join("\n",
                "# Network services, Internet style",
                "",
                "tcpmux\t\t1/tcp\t\t\t# TCP port service multiplexer",
                "   echo   7/udp   ",
                "http 80/tcp www www-http # WorldWideWeb HTTP ## more # parts",
                "   # 9/tcp an indented comment, not a service",
                "noport tcp",
                "badport x/tcp",
                "slashes 1/tcp/udp",
                "noproto 5/",
                "trailing 2/udp #",
                "crlf 3/tcp alias\r",
                "nameonly",
                "\t",
                "last 4/sctp"));
        List<String> out = new ArrayList<>();
        for (Map<String, Object> r : generate(new EtcServicesTable(f))) out.add(line(r));
        assertThat(out).containsExactly(
                "tcpmux|1|tcp||TCP port service multiplexer",
                "echo|7|udp||null",
                "http|80|tcp|www www-http|WorldWideWeb HTTP # more # parts",
                "trailing|2|udp||null",
                "crlf|3|tcp|alias|null",
                "last|4|sctp||null");
    }

    @Test
    void missingFileIsEmpty(@TempDir Path dir) throws Exception {
        assertThat(generate(new EtcServicesTable(dir.resolve("absent")))).isEmpty();
    }

    @Test
    void realFileMatchesGetent() {
        Assumptions.assumeTrue(Files.exists(Path.of("/etc/services")), "needs /etc/services (Debian package netbase)");
        Assumptions.assumeTrue(TableTests.hasCommand("getent"), "needs getent");
        // glibc's own parser, through NSS: name port/protocol aliases...
        List<String> expected = new ArrayList<>();
        for (String l : TableTests.run("getent", "services").split("\n")) {
            if (l.isBlank()) continue;
            String[] f = l.trim().split("\\s+");
            String[] pp = f[1].split("/");
            expected.add(f[0] + "|" + pp[0] + "|" + pp[1] + "|" + String.join(" ", List.of(f).subList(2, f.length)));
        }
        List<String> actual = new ArrayList<>();
        for (Map<String, Object> r : rows("SELECT * FROM etc_services")) {
            actual.add(r.get("name") + "|" + r.get("port") + "|" + r.get("protocol") + "|" + r.get("aliases"));
        }
        assertThat(expected).hasSizeGreaterThan(100);
        assertThat(actual).containsExactlyElementsOf(expected);
        assertThat(rows("SELECT port, comment FROM etc_services WHERE name = 'ssh' AND protocol = 'tcp'"))
                .extracting(r -> r.get("port")).containsExactly(22L);
    }
}
