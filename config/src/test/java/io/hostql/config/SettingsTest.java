package io.hostql.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    @Test
    void defaultsComeFromReferenceConf() {
        Settings s = Settings.defaults();
        assertThat(s.string("database_path")).isEqualTo("/var/lib/hostql");
        assertThat(s.bool("header")).isTrue();
        assertThat(s.isSet("database_path")).isFalse();
    }

    @Test
    void osqueryFlagSyntaxOverrides() {
        Settings s = Settings.parse(new String[] {"--database_path", "/tmp/d", "--json", "--events_max=10",
                "--noheader", "select 1"}, Map.of());
        assertThat(s.string("database_path")).isEqualTo("/tmp/d");
        assertThat(s.bool("json")).isTrue();
        assertThat(s.number("events_max")).isEqualTo(10);
        assertThat(s.bool("header")).isFalse();
        assertThat(s.positional()).containsExactly("select 1");
        assertThat(s.isSet("database_path")).isTrue();
    }

    @Test
    void flagfileAndEnvironment(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("osquery.flags");
        Files.writeString(f, "# comment\n--logger_path=/tmp/logs\n--events_expiry=60\n--watchdog_level=1\n--not_a_hostql_flag=1\n");
        Settings s = Settings.parse(new String[] {"--flagfile", f.toString(), "--events_expiry=30"},
                Map.of("HOSTQL_DATABASE_PATH", "/tmp/env"));
        assertThat(s.string("logger_path")).isEqualTo("/tmp/logs");
        assertThat(s.number("events_expiry")).isEqualTo(30);
        assertThat(s.string("database_path")).isEqualTo("/tmp/env");
        assertThat(s.number("watchdog_level")).isEqualTo(1);
        assertThat(s.warnings()).anyMatch(w -> w.contains("--not_a_hostql_flag"));
    }

    @Test
    void badValuesNameTheFlag() {
        assertThatThrownBy(() -> Settings.parse(new String[] {"--events_max=lots"}, Map.of()))
                .isInstanceOf(SettingsException.class).hasMessageContaining("--events_max").hasMessageContaining("lots");
        assertThatThrownBy(() -> Settings.parse(new String[] {"--flagfile=/nonexistent/flags"}, Map.of()))
                .hasMessageContaining("/nonexistent/flags");
    }

    @Test
    void flagsCarryDescriptions() {
        assertThat(Settings.defaults().flags()).anySatisfy(f -> {
            assertThat(f.name()).isEqualTo("database_path");
            assertThat(f.description()).contains("Data directory");
            assertThat(f.type()).isEqualTo("string");
        });
    }
}
