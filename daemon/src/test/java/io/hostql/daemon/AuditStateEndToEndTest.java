package io.hostql.daemon;

import static io.hostql.daemon.DaemonProcess.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.hostql.publishers.audit.AuditWitness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel's audit state around hostqld's life, with auditctl as the witness: a SIGKILLed hostqld's
 * changes are undone by the next start, and next to Debian's auditd hostqld coexists without taking
 * audit from it.
 */
class AuditStateEndToEndTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void requirements() throws Exception {
        AuditWitness.assumeRootWithAuditctl();
        assumeFalse(AuditWitness.systemAuditdRunning(), "an auditd is already running on this machine; these tests start their own");
    }

    static Path config(Path dir, String options) throws Exception {
        return Files.writeString(dir.resolve("hostql-" + System.nanoTime() + ".conf"), "{\"options\": {" + options + "}}");
    }

    @Test
    void sigkillThenRestartLeavesAuditAsItWasBeforeTheFirstStart() throws Exception {
        String before = AuditWitness.state();
        Path data = tmp.resolve("data");
        Path conf = config(tmp, "\"disable_audit\": false, \"audit_mode\": \"owner\", \"audit_backlog_limit\": 12345");
        DaemonProcess first = null, second = null;
        try {
            first = DaemonProcess.start(conf, data);
            String running = AuditWitness.state();
            assertThat(running).contains("enabled 1").contains("pid " + first.pid()).contains("backlog_limit 12345").contains("key=hostql");
            first.kill9();
            assertThat(data.resolve("audit.state")).as("the state file a killed hostqld leaves").exists();
            assertThat(AuditWitness.state()).as("what the killed hostqld left").contains("key=hostql").contains("backlog_limit 12345");

            second = DaemonProcess.start(conf, data);
            assertThat(second.output()).contains("did not restore the kernel audit settings");
            String again = AuditWitness.run("auditctl", "-l");
            assertThat(again.lines().filter(l -> l.contains("key=hostql")).count()).as("hostql's rules, once each").isEqualTo(2);
            assertThat(again).doesNotContain("pid!=" + first.pid()).contains("pid!=" + second.pid());
            assertThat(AuditWitness.ownerPid()).isEqualTo(second.pid());
            String marker = "hostql-" + UUID.randomUUID();
            AuditWitness.run("/bin/echo", marker);
            Path d = data;
            DaemonProcess.waitFor(() -> !query(d, "SELECT 1 FROM process_events WHERE cmdline = '/bin/echo " + marker + "'").rows().isEmpty(),
                    5, "the restarted hostqld's process_events row");
            assertThat(second.stop()).isZero();
            second = null;
            assertThat(AuditWitness.state()).as("kernel audit state after kill -9, restart and stop").isEqualTo(before);
            assertThat(data.resolve("audit.state")).doesNotExist();
        } finally {
            if (first != null) first.close();
            if (second != null) second.close();
            AuditWitness.restore(before);
        }
    }

    @Test
    void sighupAppliesNewAuditSettingsAndStopStillRestoresTheFirstState() throws Exception {
        String before = AuditWitness.state();
        Path data = tmp.resolve("data");
        Path conf = tmp.resolve("hostql.conf");
        Files.writeString(conf, "{\"options\": {\"disable_audit\": false, \"audit_mode\": \"owner\", \"audit_backlog_limit\": 12345}}");
        DaemonProcess hostqld = null;
        try {
            hostqld = DaemonProcess.start(conf, data);
            assertThat(AuditWitness.state()).contains("backlog_limit 12345");
            Files.writeString(conf, "{\"options\": {\"disable_audit\": false, \"audit_mode\": \"owner\", \"audit_backlog_limit\": 23456}}");
            hostqld.signal("HUP");
            DaemonProcess.waitFor(() -> {
                try {
                    return AuditWitness.state().contains("backlog_limit 23456");
                } catch (Exception e) {
                    return false;
                }
            }, 5, "the reloaded backlog limit in the kernel");
            assertThat(AuditWitness.ownerPid()).isEqualTo(hostqld.pid());
            String marker = "hostql-" + UUID.randomUUID();
            AuditWitness.run("/bin/echo", marker);
            Path d = data;
            DaemonProcess.waitFor(() -> !query(d, "SELECT 1 FROM process_events WHERE cmdline = '/bin/echo " + marker + "'").rows().isEmpty(),
                    5, "process_events after the reload");

            // Turning an audit table off is not half-applied: it is said to need a restart.
            Files.writeString(conf, "{\"options\": {\"disable_audit\": false, \"audit_mode\": \"owner\", \"audit_backlog_limit\": 23456,"
                    + " \"audit_allow_process_events\": false}}");
            hostqld.signal("HUP");
            DaemonProcess hq = hostqld;
            DaemonProcess.waitFor(() -> hq.output().contains("takes effect when hostqld restarts"), 5, "the restart warning");

            assertThat(hostqld.stop()).isZero();
            hostqld = null;
            assertThat(AuditWitness.state()).as("kernel audit state after start, reload and stop").isEqualTo(before);
        } finally {
            if (hostqld != null) hostqld.close();
            AuditWitness.restore(before);
        }
    }

    @Test
    void recordsTheKernelDropsAreAccountedFor() throws Exception {
        String before = AuditWitness.state();
        DaemonProcess hostqld = null;
        try {
            hostqld = DaemonProcess.start(config(tmp, "\"disable_audit\": false, \"audit_mode\": \"owner\""), tmp.resolve("data"));
            // The kernel's rate limit drops records past 50 a second, after numbering them: a real loss, counted by the kernel.
            AuditWitness.run("auditctl", "-r", "50");
            Path script = Files.writeString(tmp.resolve("storm.sh"), "for i in $(seq 300); do /bin/true; done\necho $$\n");
            long loop = Long.parseLong(AuditWitness.run("/bin/bash", script.toString()).strip());
            Path data = hostqld.data;
            // The rate limit stays until hostqld has read the risen counter (its status poll, once a second): a row made after
            // it is lifted could not tell that it was the rate limit's (the loop may end within one poll).
            String counter = "SELECT count(*) FROM hostql_event_losses WHERE source = 'audit' AND reason LIKE '%''lost'' counter%'";
            DaemonProcess.waitFor(() -> (Long) query(data, counter).rows().get(0)[0] > 0, 15, "the kernel's lost counter to be read");
            AuditWitness.run("auditctl", "-r", "0");
            String rows = "SELECT count(*) FROM process_events WHERE parent = " + loop;
            String lost = "SELECT coalesce(sum(count), 0) FROM hostql_event_losses WHERE source = 'audit' AND count > 0";
            DaemonProcess.waitFor(() -> (Long) query(data, rows).rows().get(0)[0] + (Long) query(data, lost).rows().get(0)[0] >= 300, 15,
                    "every /bin/true to be a row or a counted loss");
            long captured = (Long) query(data, rows).rows().get(0)[0];
            assertThat(captured).as("some execs lost their records").isLessThan(300);
            List<Object[]> counterRows = query(data, "SELECT reason, estimate, count FROM hostql_event_losses WHERE source = 'audit'"
                    + " AND reason LIKE '%''lost'' counter%'").rows();
            assertThat(counterRows).isNotEmpty().allSatisfy(r -> assertThat(r[1]).isEqualTo(1L));
            // Dropped by the rate limit while it is set: the events it dropped whole are the serial-gap rows, so this row
            // counts none of its own (counted once). Otherwise the kernel counts records, and the row counts events, an estimate.
            assertThat(counterRows).anySatisfy(r -> assertThat((String) r[0]).contains("rate_limit 50"));
            assertThat(counterRows).allSatisfy(r -> {
                if (((String) r[0]).contains("rate_limit")) {
                    assertThat((String) r[0]).contains("counted in the serial-gap rows");
                    assertThat(r[2]).isNull();
                } else {
                    assertThat((String) r[0]).containsPattern("^about \\d+ [a-z, ]+ events lost \\(estimate: \\d+ records ");
                }
            });
        } finally {
            AuditWitness.run("auditctl", "-r", "0");
            if (hostqld != null) hostqld.close();
            AuditWitness.restore(before);
        }
    }

    @Test
    void nextToAuditdHostqlCoexistsAndAuditdKeepsWorking() throws Exception {
        String before = AuditWitness.state();
        Process auditd = null;
        DaemonProcess hostqld = null;
        try {
            auditd = AuditWitness.startAuditd(tmp.resolve("auditd"));
            String withAuditd = AuditWitness.state();
            hostqld = DaemonProcess.start(config(tmp, "\"disable_audit\": false, \"audit_mode\": \"auto\", \"audit_allow_config\": true"),
                    tmp.resolve("data"));
            assertThat(hostqld.output()).contains("audit: coexist mode next to pid " + auditd.pid() + " (auditd)");
            assertThat(AuditWitness.ownerPid()).as("auditd keeps audit").isEqualTo(auditd.pid());
            assertThat(AuditWitness.run("auditctl", "-l")).contains("key=hostql");

            String marker = "hostql-" + UUID.randomUUID();
            AuditWitness.run("/bin/echo", marker);
            Path data = hostqld.data;
            DaemonProcess.waitFor(() -> !query(data, "SELECT 1 FROM process_events WHERE cmdline = '/bin/echo " + marker + "'").rows().isEmpty(),
                    5, "hostqld's process_events row next to auditd");
            assertThat(query(data, "SELECT count(*) FROM process_events WHERE cmdline = '/bin/echo " + marker + "'").rows().get(0)[0]).isEqualTo(1L);
            Path log = tmp.resolve("auditd/audit.log");
            DaemonProcess.waitFor(() -> {
                try {
                    return Files.readString(log).contains("a1=\"" + marker + "\"");
                } catch (Exception e) {
                    return false;
                }
            }, 5, "auditd to log the same exec");

            assertThat(hostqld.stop()).isZero();
            hostqld = null;
            assertThat(auditd.isAlive()).isTrue();
            assertThat(AuditWitness.state()).as("hostqld took its rules away and left auditd's settings").isEqualTo(withAuditd);
            assertThat(AuditWitness.ownerPid()).isEqualTo(auditd.pid());
        } finally {
            if (hostqld != null) hostqld.close();
            AuditWitness.stopAuditd(auditd);
            AuditWitness.restore(before);
        }
    }
}
