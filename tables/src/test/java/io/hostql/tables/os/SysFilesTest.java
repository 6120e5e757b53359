package io.hostql.tables.os;

import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SysFilesTest {
    @Test
    void readsAWholeMultiValueSysctl() {
        Path file = Path.of("/proc/sys/net/ipv4/tcp_rmem");
        Assumptions.assumeTrue(Files.isReadable(file), "needs IPv4 in this kernel");
        Assumptions.assumeTrue(hasCommand("sysctl"), "needs sysctl (procps) as the witness");
        String expected = run("sysctl", "-n", "net.ipv4.tcp_rmem").strip();
        // three numbers: Files.readAllBytes would return only the first digit ("4")
        assertThat(expected).matches("\\d+\\s+\\d+\\s+\\d+");
        assertThat(SysFiles.read(file)).isEqualTo(expected);
        assertThat(SysFiles.readRaw(file)).isEqualTo(expected + "\n");
        assertThat(SysFiles.readBytes(file)).isEqualTo((expected + "\n").getBytes());
    }

    @Test
    void missingEmptyAndNumericFiles(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("n"), " 42\n");
        Files.writeString(dir.resolve("blank"), " \n");
        Files.writeString(dir.resolve("word"), "abc\n");
        assertThat(SysFiles.readLong(dir.resolve("n"))).isEqualTo(42L);
        assertThat(SysFiles.readLong(dir.resolve("word"))).isNull();
        assertThat(SysFiles.read(dir.resolve("blank"))).isNull();
        assertThat(SysFiles.readRaw(dir.resolve("blank"))).isEqualTo(" \n");
        assertThat(SysFiles.read(dir.resolve("missing"))).isNull();
        assertThat(SysFiles.readBytes(dir.resolve("missing"))).isNull();
        assertThat(SysFiles.readBytes(dir)).isNull(); // a directory
    }
}
