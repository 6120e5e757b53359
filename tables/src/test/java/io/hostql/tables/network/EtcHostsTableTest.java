package io.hostql.tables.network;

import static io.hostql.tables.TableTests.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.sql.table.QueryContext;
import io.hostql.sql.table.RowSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
        List<String[]> out = new ArrayList<>();
        table.generate(QueryContext.all(table.schema()), () -> {
            String[] row = new String[2];
            out.add(row);
            return new RowSink.Row() {
                public RowSink.Row set(String c, Object v) {
                    if (c.equals("address")) row[0] = (String) v;
                    if (c.equals("hostnames")) row[1] = (String) v;
                    return this;
                }
            };
        });
        assertThat(out).extracting(r -> r[0] + "=" + r[1]).containsExactly("127.0.0.1=localhost", "::1=localhost ip6-localhost");
    }

    @Test
    void realHostsFileHasLocalhost() {
        List<Map<String, Object>> r = rows("SELECT address, hostnames FROM etc_hosts WHERE hostnames LIKE '%localhost%'");
        assertThat(r).isNotEmpty();
    }
}
