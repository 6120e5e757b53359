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

    @Test
    void anUnknownFlagStopsHostqldWithOneLineNamingIt() throws Exception {
        DaemonRobustnessTest.Run r = SchedulerEndToEndTest.Check.run("--bogus_flag", "--database_path", tmp.resolve("data").toString(),
                "--logger_path", tmp.resolve("logs").toString(), "--pidfile", tmp.resolve("pid").toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.output()).isEqualTo("hostqld: unknown flag --bogus_flag\n");
        assertThat(tmp.resolve("data")).doesNotExist(); // refused before anything started
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
    void aConfigThatIsNotUtf8IsRefusedWithTheFileAndByteOffset() throws Exception {
        byte[] text = "{\"schedule\": {\"q\": {\"query\": \"SELECT 'caf\u00e9'\"}}}".getBytes(StandardCharsets.ISO_8859_1);
        Path conf = Files.write(tmp.resolve("latin1.conf"), text);
        DaemonRobustnessTest.Run r = SchedulerEndToEndTest.Check.run("--config_check", "--config_path", conf.toString());
        assertThat(r.status()).isEqualTo(1);
        int offset = new String(text, StandardCharsets.ISO_8859_1).indexOf('\u00e9');
        assertThat(r.output()).isEqualTo(conf + ":1: not UTF-8 text: invalid byte 0xe9 at byte offset " + offset + " (line 1)\n");
    }
}
