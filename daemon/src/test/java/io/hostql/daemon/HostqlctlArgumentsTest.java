package io.hostql.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code hostqlctl} refuses an argument it would not use, naming it (it once checked /etc's config whatever was asked). */
class HostqlctlArgumentsTest {
    private record Result(int status, String output) {}

    private static Result hostqlctl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of("").toAbsolutePath().resolveSibling("bin").resolve("hostqlctl").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("hostqlctl ended").isTrue();
        return new Result(p.exitValue(), out);
    }

    @Test
    void aCommandGivenArgumentsItDoesNotTakeIsAUsageErrorThatNamesThem() throws Exception {
        Result r = hostqlctl("config-check", "--config_path", "/tmp/other.conf");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.output()).contains("config-check takes no arguments, not: --config_path /tmp/other.conf", "HOSTQL_CONFIG");
        Result clean = hostqlctl("clean", "-z");
        assertThat(clean.status()).isEqualTo(2);
        assertThat(clean.output()).contains("clean takes only -y, not: -z");
        assertThat(hostqlctl("status", "now").output()).contains("status takes no arguments, not: now");
    }
}
