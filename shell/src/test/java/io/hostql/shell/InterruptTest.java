package io.hostql.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C in a real hostqli on a real terminal: util-linux's {@code script} gives it a pty, and a 0x03
 * written to the pty is turned into SIGINT by the kernel's line discipline, as a keyboard's is.
 */
class InterruptTest {
    private static final String ENDLESS = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c;";
    private static final byte CTRL_C = 3;

    @TempDir
    Path home;

    @Test
    void ctrlCCancelsTheRunningQueryClearsTheLineAndTwiceAtAnEmptyPromptExits() throws Exception {
        try (Pty shell = Pty.start(home)) {
            shell.await("hostql> ", 1);
            shell.type(ENDLESS + "\n");
            Thread.sleep(1500); // running: it would count for minutes
            assertThat(shell.output()).doesNotContain("count(*) |");
            shell.type(CTRL_C);
            shell.await("Error: interrupted", 1);
            shell.await("hostql> ", 2);
            shell.type("SELECT 6 * 7 AS answer;\n");
            shell.await("| 42 ", 1);

            // A partial line is dropped, without the exit hint.
            shell.type("SELECT 'partial");
            Thread.sleep(300);
            shell.type(CTRL_C);
            shell.await("hostql> ", 4);
            shell.type("SELECT 'after' AS word;\n");
            shell.await("| after ", 1);
            assertThat(shell.output()).doesNotContain(Interactive.EXIT_HINT);

            shell.type(CTRL_C);
            shell.await(Interactive.EXIT_HINT, 1);
            shell.type(CTRL_C);
            assertThat(shell.exitStatus()).as(shell.output()).isEqualTo(0);
        }
    }

    @Test
    void aOneShotQueryStillEndsOnCtrlC() throws Exception {
        try (Pty shell = Pty.start(home, ENDLESS)) {
            Thread.sleep(2500);
            shell.type(CTRL_C);
            assertThat(shell.exitStatus()).as(shell.output()).isEqualTo(130);
        }
    }

    /** hostqli under {@code script}: what is typed goes to its terminal, what it writes is collected. */
    private static final class Pty implements AutoCloseable {
        private final Process process;
        private final OutputStream keys;
        private final StringBuffer screen = new StringBuffer();

        private Pty(Process process) {
            this.process = process;
            this.keys = process.getOutputStream();
            Thread reader = new Thread(() -> {
                byte[] buf = new byte[8192];
                try (InputStream in = process.getInputStream()) {
                    for (int n; (n = in.read(buf)) > 0; ) screen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // the process ended
                }
            }, "pty-reader");
            reader.setDaemon(true);
            reader.start();
        }

        static Pty start(Path home, String... args) throws IOException {
            Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "needs util-linux's script for a pty");
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            for (String f : System.getProperty("hostql.jvm.flags", "").trim().split("\\s+")) if (!f.isEmpty()) cmd.add(f);
            cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    "io.hostql.shell.Hostqli"));
            cmd.addAll(List.of(args));
            // A pty made by script from a pipe has no size, and JLine cannot lay out a prompt in 0 columns.
            StringBuilder line = new StringBuilder("stty cols 150 rows 40 && exec");
            for (String c : cmd) line.append(" ").append("'").append(c.replace("'", "'\\''")).append("'");
            ProcessBuilder pb = new ProcessBuilder("script", "-qfec", line.toString(), "/dev/null").redirectErrorStream(true);
            pb.environment().put("HOME", home.toString()); // the shell's history goes there
            pb.environment().put("TERM", "xterm");
            return new Pty(pb.start());
        }

        void type(String text) throws IOException {
            keys.write(text.getBytes(StandardCharsets.UTF_8));
            keys.flush();
        }

        void type(byte key) throws IOException {
            keys.write(key);
            keys.flush();
        }

        String output() {
            return screen.toString();
        }

        /** Waits until the text has appeared the given number of times in all output. */
        void await(String text, int times) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (count(output(), text) < times) {
                if (System.nanoTime() > end || !process.isAlive() && count(output(), text) < times) {
                    throw new AssertionError("waited for " + times + " x \"" + text + "\"; hostqli wrote:\n" + output());
                }
                Thread.sleep(20);
            }
        }

        private static int count(String s, String part) {
            int n = 0;
            for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + part.length())) n++;
            return n;
        }

        int exitStatus() throws InterruptedException {
            if (!process.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("hostqli did not exit; it wrote:\n" + output());
            return process.exitValue();
        }

        @Override
        public void close() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
