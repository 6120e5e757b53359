package io.hostql.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The systemd unit scripts/install-service writes: systemd's own checker accepts it, and it supervises. */
class ServiceUnitTest {
    @TempDir
    Path tmp;

    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent(); // surefire runs in daemon/

    private String unit() throws Exception {
        Process p = new ProcessBuilder(ROOT.resolve("scripts/install-service").toString(), "--print").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    @Test
    void unitRunsThisCheckoutsHostqldAndRestartsItWithALimit() throws Exception {
        String unit = unit();
        assertThat(unit).doesNotContain("@HOSTQL_HOME@")
                .contains("ExecStart=" + ROOT.toRealPath() + "/bin/hostqld $HOSTQLD_FLAGS")
                .contains("Restart=on-failure").contains("StartLimitBurst=").contains("ExecReload=/bin/kill -HUP $MAINPID");
    }

    @Test
    void systemdAnalyzeAcceptsTheUnit() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        assumeTrue(Files.isExecutable(analyze), "systemd-analyze is not installed (package systemd): the unit is not checked by systemd here");
        Path file = Files.writeString(tmp.resolve("hostqld.service"), unit());
        Process p = new ProcessBuilder(analyze.toString(), "verify", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).doesNotContain("Unknown key").doesNotContain("Invalid");
    }
}
