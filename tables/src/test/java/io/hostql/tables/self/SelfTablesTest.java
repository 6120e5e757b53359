package io.hostql.tables.self;

import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.value;
import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.config.Version;
import org.junit.jupiter.api.Test;

class SelfTablesTest {
    @Test
    void osqueryInfoDescribesThisProcess() {
        var r = rows("SELECT * FROM osquery_info").get(0);
        assertThat(r.get("pid")).isEqualTo(ProcessHandle.current().pid());
        assertThat(r.get("version")).isEqualTo(Version.OSQUERY_COMPATIBLE).isEqualTo("5.23.0");
        assertThat(r.get("hostql_version")).isEqualTo(Version.VERSION);
        assertThat(r.get("platform_mask")).isEqualTo(9L);
        assertThat((Long) r.get("start_time")).isGreaterThan(1_600_000_000L);
    }

    @Test
    void registryListsEveryTableIncludingItself() {
        assertThat(value("SELECT count(*) FROM osquery_registry WHERE registry = 'table' AND name IN ('osquery_registry', 'etc_hosts')"))
                .isEqualTo(2L);
    }

    @Test
    void flagsListSettings() {
        var r = rows("SELECT type, default_value, shell_only FROM osquery_flags WHERE name = 'json'").get(0);
        assertThat(r.get("type")).isEqualTo("bool");
        assertThat(r.get("default_value")).isEqualTo("false");
        assertThat(r.get("shell_only")).isEqualTo(1L);
    }
}
