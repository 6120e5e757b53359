package io.hostql.os.sysfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SysFilesTest {
    @Test
    void readsAWholeMultiValueSysctl() throws Exception {
        Path file = Path.of("/proc/sys/net/ipv4/tcp_rmem");
        Assumptions.assumeTrue(Files.isReadable(file), "needs IPv4 in this kernel");
        String expected = sysctl("net.ipv4.tcp_rmem");
        Assumptions.assumeTrue(expected != null, "needs sysctl (procps) as the witness");
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

    @Test
    void attributesAndLinks(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("idVendor"), "1d6b\n");
        Files.writeString(dir.resolve("blank"), "\n");
        Files.createDirectories(dir.resolve("bus/usb/drivers/usb"));
        Files.createSymbolicLink(dir.resolve("driver"), dir.resolve("bus/usb/drivers/usb"));
        assertThat(SysFiles.attribute(dir.resolve("idVendor"))).isEqualTo("1d6b");
        assertThat(SysFiles.readAttribute(dir.resolve("idVendor"))).isEqualTo("1d6b\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(SysFiles.attribute(dir.resolve("blank"))).isNull();
        assertThat(SysFiles.attribute(dir.resolve("missing"))).isNull();
        assertThat(SysFiles.readAttribute(dir.resolve("missing"))).isNull();
        assertThat(SysFiles.linkName(dir.resolve("driver"))).isEqualTo("usb");
        assertThat(SysFiles.linkName(dir.resolve("idVendor"))).isNull(); // not a link
        Path seqnum = Path.of("/sys/kernel/uevent_seqnum");
        if (Files.isReadable(seqnum)) assertThat(SysFiles.attribute(seqnum)).matches("\\d+");
    }

    @Test
    void aSysctlByItsPathUnderProcSysReadsAsSysctlShowsIt() throws Exception {
        String expected = sysctl("fs.inotify.max_user_watches");
        Assumptions.assumeTrue(expected != null, "needs sysctl (procps) and inotify");
        assertThat(SysFiles.sysctl("fs/inotify/max_user_watches")).isEqualTo(expected); // a number: the first digit alone with a 1-byte read
        assertThat(SysFiles.sysctl("kernel/hostname")).isEqualTo(sysctl("kernel.hostname"));
        assertThat(SysFiles.sysctl("kernel/no_such_setting")).isNull();
    }

    /** sysctl -n's answer, the witness; null without procps. */
    private static String sysctl(String name) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("sysctl", "-n", name).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            return null; // no sysctl here
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return p.waitFor() == 0 ? out : null;
    }
}
