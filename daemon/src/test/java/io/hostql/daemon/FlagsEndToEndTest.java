package io.hostql.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hostqld's flags as osquery treats them, and --config_check reporting the flag problems with the config's. */
class FlagsEndToEndTest {
    @TempDir
    Path tmp;

    /** hostqld with flag refuses to start, saying output, before anything started. */
    private void assertRefusedAtStart(String flag, String output) throws Exception {
        DaemonRobustnessTest.Run r = SchedulerEndToEndTest.Check.run(flag, "--database_path", tmp.resolve("data").toString(),
                "--logger_path", tmp.resolve("logs").toString(), "--pidfile", tmp.resolve("pid").toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.output()).isEqualTo(output);
        assertThat(tmp.resolve("data")).doesNotExist();
    }

    @Test
    void anUnknownFlagStopsHostqldWithOneLineNamingIt() throws Exception {
        assertRefusedAtStart("--bogus_flag", "hostqld: unknown flag --bogus_flag\n");
        // --config_check: the error and the warnings.
        Path flags = Files.writeString(tmp.resolve("osquery.flags"), "--verbose\n--bogus_flag=1\n--extensions_socket=/run/s\n");
        DaemonRobustnessTest.Run check = SchedulerEndToEndTest.Check.run("--config_check", "--flagfile", flags.toString());
        assertThat(check.status()).isEqualTo(1);
        assertThat(check.output()).isEqualTo("warning: --extensions_socket (in " + flags + ") is not implemented in hostql: it lacks"
                + " osquery extensions (the Thrift extension API)\nhostqld: unknown flag --bogus_flag (in " + flags + ")\n");
    }

    @Test
    void configCheckReportsAKnownOsqueryFlagHostqlLacksAsAWarningNamingTheFeature() throws Exception {
        Path conf = Files.writeString(tmp.resolve("hostql.conf"), """
                {"options": {"aws_kinesis_stream": "results", "custom_team": "blue", "not_a_flag": 1},
                 "schedule": {"q": {"query": "SELECT 1", "interval": 60}}}
                """);
        DaemonRobustnessTest.Run r = SchedulerEndToEndTest.Check.run("--config_check", "--config_path", conf.toString(),
                "--tls_node_api", "--logger_status_sync=false");
        assertThat(r.status()).as("warnings only: the daemon would start").isZero();
        assertThat(r.output().lines()).containsExactlyInAnyOrder(
                "warning: --tls_node_api is not implemented in hostql: it lacks the TLS remote API",
                "warning: --logger_status_sync is not implemented in hostql: it lacks synchronous status logging",
                "warning: --aws_kinesis_stream (config options) is not implemented in hostql: it lacks the AWS Kinesis and Firehose"
                        + " logger plugins",
                "warning: config option 'not_a_flag' is not an osquery or hostql flag; ignored");
    }

    @Test
    void aValueOutOfRangeIsOneLineNamingFlagValueAndRange() throws Exception {
        // A flag: hostqld does not start, and --config_check says the same line.
        assertRefusedAtStart("--watchdog_level=5", "hostqld: flag --watchdog_level=5 is out of range -1..1\n");
        Path flags = Files.writeString(tmp.resolve("osquery.flags"), "--events_max=many\n");
        DaemonRobustnessTest.Run check = SchedulerEndToEndTest.Check.run("--config_check", "--flagfile", flags.toString());
        assertThat(check.status()).isEqualTo(1);
        assertThat(check.output()).isEqualTo("hostqld: flag --events_max=many (in " + flags + ") is not an integer\n");
        // The config's options: one warning each (osquery's options parser ignores a bad value); the default stays.
        Path conf = Files.writeString(tmp.resolve("hostql.conf"), """
                {"options": {"logger_syslog_facility": 24, "audit_mode": "boss", "schedule_splay_percent": "ten"},
                 "schedule": {"q": {"query": "SELECT 1", "interval": 60}}}
                """);
        DaemonRobustnessTest.Run options = SchedulerEndToEndTest.Check.run("--config_check", "--config_path", conf.toString());
        assertThat(options.status()).isZero();
        assertThat(options.output().lines()).containsExactlyInAnyOrder(
                "warning: config option --logger_syslog_facility=24 is out of range 0..23; ignored",
                "warning: config option --audit_mode=boss is not one of auto, owner, coexist; ignored",
                "warning: config option --schedule_splay_percent=ten is not an integer; ignored");
    }

    @Test
    void aConfigThatIsNotUtf8IsRefusedWithTheFileAndByteOffset() throws Exception {
        byte[] text = "{\"schedule\": {\"q\": {\"query\": \"SELECT 'caf\u00e9'\"}}}".getBytes(StandardCharsets.ISO_8859_1);
        Path conf = Files.write(tmp.resolve("latin1.conf"), text);
        DaemonRobustnessTest.Run r = SchedulerEndToEndTest.Check.run("--config_check", "--config_path", conf.toString());
        assertThat(r.status()).isEqualTo(1);
        int offset = new String(text, StandardCharsets.ISO_8859_1).indexOf('\u00e9');
        assertThat(r.output()).isEqualTo(conf + ":1: not UTF-8 text: invalid byte 0xe9 at byte offset " + offset + " (line 1)\n");
    }
}
