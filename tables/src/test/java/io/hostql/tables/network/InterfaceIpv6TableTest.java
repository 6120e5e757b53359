package io.hostql.tables.network;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hostql.sql.table.RowSink;
import io.hostql.sql.table.QueryContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** interface_ipv6 against sysctl on this host's interfaces, and osquery's combining rules on a fake conf tree. */
class InterfaceIpv6TableTest {
    @Test
    void everyInterfaceMatchesSysctl() {
        assumeTrue(Files.isDirectory(InterfaceIpv6Table.CONF), "the kernel has IPv6");
        assumeTrue(hasCommand("sysctl"), "sysctl (procps) is the witness");
        List<Map<String, Object>> rows = rows("SELECT i.* FROM interface_ipv6 i JOIN interface_details d USING (interface)");
        assertThat(rows).extracting(r -> r.get("interface")).contains("lo")
                .containsExactlyInAnyOrderElementsOf(rows("SELECT interface FROM interface_details").stream().map(r -> r.get("interface")).toList());
        long allRedirects = sysctl("all", "accept_redirects");
        for (Map<String, Object> r : rows) {
            String i = (String) r.get("interface");
            long forwarding = sysctl(i, "forwarding");
            long redirects = sysctl(i, "accept_redirects");
            long ra = sysctl(i, "accept_ra");
            assertThat(r.get("hop_limit")).as(i).isEqualTo(sysctl(i, "hop_limit"));
            assertThat(r.get("forwarding_enabled")).as(i).isEqualTo(forwarding);
            boolean redirect = forwarding != 0 ? allRedirects != 0 && redirects != 0 : allRedirects != 0 || redirects != 0;
            assertThat(r.get("redirect_accept")).as(i).isEqualTo(redirect ? 1L : 0L);
            assertThat(r.get("rtadv_accept")).as(i).isEqualTo(ra == 2 || (ra != 0 && forwarding == 0) ? 1L : 0L);
        }
        assertThat(rows("SELECT interface FROM interface_ipv6 WHERE interface LIKE 'l_'")).extracting(r -> r.get("interface")).containsExactly("lo");
    }

    private static long sysctl(String iface, String name) {
        return Long.parseLong(run("sysctl", "-n", "net.ipv6.conf." + iface + "." + name).strip());
    }

    @Test
    void forwardingTurnsRedirectsToAndAndRouterAdvertisementsOff(@TempDir Path conf) throws Exception {
        conf(conf, "all", 1, 0, 1, 1);
        conf(conf, "fwd", 64, 1, 0, 1);    // forwarding: redirects need all AND iface; accept_ra=1 is off
        conf(conf, "host", 255, 0, 0, 1);  // not forwarding: redirects are all OR iface
        conf(conf, "ra2", 64, 1, 1, 2);    // accept_ra=2 accepts even when forwarding
        InterfaceIpv6Table t = new InterfaceIpv6Table(conf);
        List<Map<String, Object>> out = new ArrayList<>();
        for (String i : List.of("fwd", "host", "ra2", "gone")) {
            out.addAll(generateRow(t, i));
        }
        assertThat(out.get(0)).containsEntry("hop_limit", 64L).containsEntry("forwarding_enabled", 1L)
                .containsEntry("redirect_accept", 0L).containsEntry("rtadv_accept", 0L);
        assertThat(out.get(1)).containsEntry("hop_limit", 255L).containsEntry("redirect_accept", 1L).containsEntry("rtadv_accept", 1L);
        assertThat(out.get(2)).containsEntry("redirect_accept", 1L).containsEntry("rtadv_accept", 1L);
        assertThat(out.get(3)).containsEntry("hop_limit", -1L).containsEntry("forwarding_enabled", -1L);
    }

    private static List<Map<String, Object>> generateRow(InterfaceIpv6Table t, String iface) throws Exception {
        return generate(new io.hostql.sql.table.Table() {
            @Override
            public io.hostql.sql.table.TableSchema schema() {
                return t.schema();
            }

            @Override
            public void generate(QueryContext ctx, RowSink rows) {
                t.row(iface, rows);
            }
        });
    }

    private static void conf(Path conf, String iface, int hopLimit, int forwarding, int redirects, int ra) throws Exception {
        Path d = Files.createDirectories(conf.resolve(iface));
        Files.writeString(d.resolve("hop_limit"), hopLimit + "\n");
        Files.writeString(d.resolve("forwarding"), forwarding + "\n");
        Files.writeString(d.resolve("accept_redirects"), redirects + "\n");
        Files.writeString(d.resolve("accept_ra"), ra + "\n");
    }
}
