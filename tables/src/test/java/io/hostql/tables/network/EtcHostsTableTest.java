package io.hostql.tables.network;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.rows;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EtcHostsTableTest {
    @Test
    void parsesAddressesAndAliasesIgnoringComments(@TempDir Path dir) throws Exception {
        Path hosts = dir.resolve("hosts");
        Files.writeString(hosts, "# header\n127.0.0.1\tlocalhost\n::1 localhost ip6-localhost  # trailing\n\nbad-line\n");
        EtcHostsTable table = new EtcHostsTable(hosts);
        assertThat(generate(table)).extracting(r -> r.get("address") + "=" + r.get("hostnames"))
                .containsExactly("127.0.0.1=localhost", "::1=localhost ip6-localhost");
    }

    @Test
    void realHostsFileHasLocalhost() {
        List<Map<String, Object>> r = rows("SELECT address, hostnames FROM etc_hosts WHERE hostnames LIKE '%localhost%'");
        assertThat(r).isNotEmpty();
    }
}
