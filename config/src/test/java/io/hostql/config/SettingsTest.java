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
        Files.writeString(f, "# comment\n--logger_path=/tmp/logs\n--events_expiry=60\n--watchdog_level=1\n--disable_distributed=true\n");
        Settings s = Settings.parse(new String[] {"--flagfile", f.toString(), "--events_expiry=30"},
                Map.of("HOSTQL_DATABASE_PATH", "/tmp/env"));
        assertThat(s.string("logger_path")).isEqualTo("/tmp/logs");
        assertThat(s.number("events_expiry")).isEqualTo(30);
        assertThat(s.string("database_path")).isEqualTo("/tmp/env");
        assertThat(s.number("watchdog_level")).isEqualTo(1);
        assertThat(s.warnings()).as("distributed queries off is what hostql does anyway").isEmpty();
    }

    @Test
    void anUnknownFlagIsAnErrorNamingIt(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> Settings.parse(new String[] {"--bogus_flag"}, Map.of()))
                .isInstanceOf(SettingsException.class).hasMessage("unknown flag --bogus_flag");
        assertThatThrownBy(() -> Settings.parse(new String[] {"--nobogus_flag", "select 1"}, Map.of()))
                .hasMessage("unknown flag --nobogus_flag");
        Path f = dir.resolve("osquery.flags");
        Files.writeString(f, "--logger_path=/tmp/logs\n--not_a_hostql_flag=1\n");
        assertThatThrownBy(() -> Settings.parse(new String[] {"--flagfile", f.toString()}, Map.of()))
                .isInstanceOf(SettingsException.class).hasMessage("unknown flag --not_a_hostql_flag (in " + f + ")");
        // Several: one line naming each, with the warnings found meanwhile.
        assertThatThrownBy(() -> Settings.parse(new String[] {"--flagfile", f.toString(), "--bogus", "--logger_status_sync=false"}, Map.of()))
                .hasMessage("unknown flags --bogus, --not_a_hostql_flag (in " + f + ")")
                .satisfies(e -> assertThat(((SettingsException) e).warnings()).singleElement().asString().startsWith("--logger_status_sync "));
    }

    @Test
    void aKnownOsqueryFlagHostqlLacksIsAWarningNamingTheFeature(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("osquery.flags");
        Files.writeString(f, "--tls_node_api\n--extensions_socket=/run/ext.sock\n"
                + "--aws_secret_access_key=s3cr3t\n");
        Settings s = Settings.parse(new String[] {"--flagfile", f.toString(), "--logger_plugin=filesystem,tls", "--aws_kinesis_stream",
                "hostql-results", "--noutc", "select 1"}, Map.of());
        assertThat(s.warnings()).containsExactlyInAnyOrder(
                "--tls_node_api (in " + f + ") is not implemented in hostql: it lacks the TLS remote API",
                "--extensions_socket (in " + f + ") is not implemented in hostql: it lacks osquery extensions (the Thrift extension API)",
                "--aws_secret_access_key (in " + f + ") is not implemented in hostql: it lacks the AWS Kinesis and Firehose logger plugins",
                "--aws_kinesis_stream is not implemented in hostql: it lacks the AWS Kinesis and Firehose logger plugins",
                "--utc is not implemented in hostql: it lacks local-time results: hostql's times are always UTC");
        assertThat(s.warnings()).noneMatch(w -> w.contains("s3cr3t") || w.contains("/run/ext.sock"));
        assertThat(s.positional()).containsExactly("select 1"); // "--aws_kinesis_stream hostql-results" took its value
        assertThat(s.string("logger_plugin")).isEqualTo("filesystem,tls");
        assertThat(Settings.parse(new String[] {"--config_plugin=filesystem", "--utc", "--disable_extensions"}, Map.of()).warnings())
                .isEmpty();
    }

    @Test
    void configOptionsWarnAsOsqueryDoes() {
        Settings s = Settings.defaults().withOptions(Map.of("events_max", "10", "no_such_option", "1", "custom_team", "blue",
                "logger_status_sync", "false"));
        assertThat(s.number("events_max")).isEqualTo(10);
        assertThat(s.warnings()).containsExactlyInAnyOrder("config option 'no_such_option' is not an osquery or hostql flag; ignored",
                "--logger_status_sync (config options) is not implemented in hostql: it lacks synchronous status logging");
    }

    @Test
    void everyUnsupportedFlagIsAnOsqueryFlagHostqlDoesNotAlsoDefine() {
        // A flag that is declared must leave osquery-flags.tsv, unless only some of its values are lacking.
        Settings d = Settings.defaults();
        for (OsqueryFlags.Unsupported u : OsqueryFlags.all().values()) {
            boolean inReference = d.flags().stream().anyMatch(f -> f.name().equals(u.name()));
            assertThat(!inReference || !u.same().isEmpty()).as(u.name() + " is declared and in osquery-flags.tsv").isTrue();
        }
    }

    @Test
    void aFlagfileThatIsNotUtf8NamesTheByte(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("osquery.flags");
        Files.write(f, new byte[] {'-', '-', 'v', 'e', 'r', 'b', 'o', 's', 'e', '\n', '#', ' ', (byte) 0xe9, '\n'});
        assertThatThrownBy(() -> Settings.parse(new String[] {"--flagfile", f.toString()}, Map.of()))
                .hasMessage("cannot read flagfile " + f + ": not UTF-8 text: invalid byte 0xe9 at byte offset 12 (line 2)");
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
