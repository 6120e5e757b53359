package io.hostql.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Without a usable libsqlite3, the shell says how to install it, in one line, and exits 1. */
class MissingSqliteTest {
    @Test
    void aMissingLibraryIsOneClearLineSayingHowToInstallIt() throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String f : System.getProperty("hostql.jvm.flags", "").trim().split("\\s+")) if (!f.isEmpty()) cmd.add(f);
        cmd.addAll(List.of("-Dhostql.sqlite.library=/nonexistent/libsqlite3.so.0", "-cp", System.getProperty("java.class.path"),
                "io.hostql.shell.Hostqli", "SELECT 1"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(out).startsWith("Error: hostql needs the system SQLite library (libsqlite3 >= 3.38)")
                .contains("apt-get install libsqlite3-0").doesNotContain("\tat ");
        assertThat(out.strip().lines().count()).isEqualTo(1);
    }
}
