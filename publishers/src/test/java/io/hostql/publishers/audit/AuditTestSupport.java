package io.hostql.publishers.audit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hostql.publishers.RecordedEvents;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Shared by the audit tests: root check, the auditctl witness, and an in-memory sink with waits. */
final class AuditTestSupport {
    private AuditTestSupport() {}

    static void assumeRootWithAudit() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root: the audit netlink socket requires CAP_AUDIT_CONTROL");
        try (AuditSocket s = AuditSocket.open(0)) {
            s.status();
        } catch (RuntimeException e) {
            assumeTrue(false, "kernel audit is not usable here: " + e.getMessage());
        }
    }

    /** Runs a command, returns stdout; fails on a non-zero exit. */
    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("timed out: " + String.join(" ", cmd));
        if (p.exitValue() != 0) throw new AssertionError(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + out);
        return out;
    }

    /** auditctl's view of the settings that hostql changes and must put back (lost and backlog move by themselves). */
    static String auditctlState() throws IOException, InterruptedException {
        StringBuilder sb = new StringBuilder();
        for (String line : run("auditctl", "-s").split("\n")) {
            if (line.startsWith("enabled") || line.startsWith("failure") || line.startsWith("pid") || line.startsWith("backlog_limit")
                    || line.startsWith("backlog_wait_time ") || line.startsWith("rate_limit")) sb.append(line).append('\n');
        }
        return sb.append(run("auditctl", "-l")).toString();
    }

    /** Puts the audit settings auditctl showed back (for the finally blocks of tests that change them). */
    static void restoreWithAuditctl(String state) throws IOException, InterruptedException {
        for (String line : state.split("\n")) {
            String[] kv = line.split(" ");
            if (kv.length != 2) continue;
            switch (kv[0]) {
                case "enabled" -> run("auditctl", "-e", kv[1]);
                case "backlog_limit" -> run("auditctl", "-b", kv[1]);
                case "backlog_wait_time" -> run("auditctl", "--backlog_wait_time", kv[1]);
                case "failure" -> run("auditctl", "-f", kv[1]);
                default -> { }
            }
        }
        if (state.contains("No rules")) run("auditctl", "-D");
    }

    /** Records what the publisher appends; waits for expected events. */
    static final class Sink extends RecordedEvents {}
}
