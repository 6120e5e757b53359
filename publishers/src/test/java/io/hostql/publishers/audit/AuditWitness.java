package io.hostql.publishers.audit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * auditctl and auditd as the independent witnesses of the kernel's audit state, for the publisher's tests
 * and the daemon's end-to-end tests (the publishers test-jar); and the means to put that state back in
 * their finally blocks.
 */
public final class AuditWitness {
    private AuditWitness() {}

    public static void assumeRootWithAuditctl() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root: kernel audit requires CAP_AUDIT_CONTROL");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/auditctl")), "needs auditctl (Debian package auditd; scripts/install-deps installs it)");
        Process p = new ProcessBuilder("auditctl", "-s").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assumeTrue(p.waitFor() == 0, "kernel audit is not usable here (auditctl -s failed)");
    }

    public static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("timed out: " + String.join(" ", cmd));
        if (p.exitValue() != 0) throw new AssertionError(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
        return out;
    }

    /** The audit settings hostql may change (enabled, failure, pid, backlog_limit, backlog_wait_time) and the rules. */
    public static String state() throws IOException, InterruptedException {
        StringBuilder sb = new StringBuilder();
        for (String line : run("auditctl", "-s").split("\n")) {
            if (line.startsWith("enabled") || line.startsWith("failure") || line.startsWith("pid") || line.startsWith("backlog_limit")
                    || line.startsWith("backlog_wait_time ") || line.startsWith("rate_limit")) sb.append(line).append('\n');
        }
        return sb.append(run("auditctl", "-l")).toString();
    }

    public static int ownerPid() throws IOException, InterruptedException {
        for (String line : run("auditctl", "-s").split("\n")) if (line.startsWith("pid ")) return Integer.parseInt(line.substring(4).strip());
        return -1;
    }

    /** Puts back what {@link #state()} showed, when a test left it different. */
    public static void restore(String state) throws IOException, InterruptedException {
        if (state().equals(state)) return;
        if (!state.contains("No rules")) throw new AssertionError("cannot restore a rule set by hand:\n" + state);
        run("auditctl", "-D");
        for (String line : state.split("\n")) {
            String[] kv = line.split(" ");
            if (kv.length != 2) continue;
            switch (kv[0]) {
                case "enabled" -> run("auditctl", "-e", kv[1]);
                case "backlog_limit" -> run("auditctl", "-b", kv[1]);
                case "backlog_wait_time" -> run("auditctl", "--backlog_wait_time", kv[1]);
                case "failure" -> run("auditctl", "-f", kv[1]);
                case "rate_limit" -> run("auditctl", "-r", kv[1]);
                default -> { }
            }
        }
    }

    /** Debian's auditd in the foreground with its own config and raw log in dir; running once the kernel names it the owner. */
    public static Process startAuditd(Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/auditd")), "needs auditd (Debian package auditd)");
        Files.createDirectories(dir.resolve("plugins"));
        String conf = Files.readString(Path.of("/etc/audit/auditd.conf"))
                .replaceAll("(?m)^log_file\\s*=.*$", "log_file = " + dir.resolve("audit.log"))
                .replaceAll("(?m)^log_format\\s*=.*$", "log_format = RAW")
                .replaceAll("(?m)^log_group\\s*=.*$", "log_group = root")
                .replaceAll("(?m)^flush\\s*=.*$", "flush = INCREMENTAL_ASYNC")
                .replaceAll("(?m)^plugin_dir\\s*=.*$", "plugin_dir = " + dir.resolve("plugins"));
        Path file = dir.resolve("auditd.conf");
        Files.writeString(file, conf);
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Process p = new ProcessBuilder("/usr/sbin/auditd", "-n", "-c", dir.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("auditd.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (p.isAlive() && ownerPid() != p.pid()) {
            if (System.nanoTime() > deadline) throw new AssertionError("auditd did not register with the kernel within 15 s");
            Thread.sleep(20);
        }
        if (!p.isAlive()) throw new AssertionError("auditd exited: " + Files.readString(dir.resolve("auditd.out")));
        return p;
    }

    public static void stopAuditd(Process p) throws InterruptedException {
        if (p == null || !p.isAlive()) return;
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }

    /** True when an auditd other than ours is already running (then the tests leave it alone and skip what needs their own). */
    public static boolean systemAuditdRunning() {
        return ProcessHandle.allProcesses().anyMatch(h -> h.info().command().map(c -> c.endsWith("/auditd")).orElse(false));
    }
}
