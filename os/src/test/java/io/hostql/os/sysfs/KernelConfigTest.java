package io.hostql.os.sysfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class KernelConfigTest {
    @Test
    void anOptionIsItsLinesValueAndHzANumber() {
        KernelConfig k = new KernelConfig("test", "# CONFIG_HZ_100 is not set\nCONFIG_HZ_250=y\nCONFIG_HZ=250\nCONFIG_HZ_PERIODIC=n");
        assertThat(k.option("CONFIG_HZ")).isEqualTo("250");
        assertThat(k.option("CONFIG_HZ_250")).isEqualTo("y");
        assertThat(k.option("CONFIG_HZ_PERIODIC")).as("the last line, no newline").isEqualTo("n");
        assertThat(k.option("CONFIG_HZ_100")).as("a comment is not a value").isNull();
        assertThat(k.hz()).isEqualTo(250);
        assertThat(new KernelConfig("test", "CONFIG_HZ=fast\n").hz()).isZero();
        assertThat(KernelConfig.UNKNOWN.hz()).isZero();
    }

    @Test
    void theRunningKernelsHzIsTheOneItsConfigFileSays() throws Exception {
        KernelConfig k = KernelConfig.running();
        Assumptions.assumeTrue(k.source() != null, "this kernel has neither /boot/config-<release> nor /proc/config.gz");
        Process p = new ProcessBuilder("sh", "-c",
                "{ cat /boot/config-$(uname -r) 2>/dev/null || zcat /proc/config.gz; } | sed -n 's/^CONFIG_HZ=//p'").start();
        String witness = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        assertThat(p.waitFor()).isZero();
        Assumptions.assumeFalse(witness.isEmpty(), "needs zcat or a readable /boot config as the witness");
        assertThat(k.hz()).isEqualTo(Integer.parseInt(witness));
    }
}
