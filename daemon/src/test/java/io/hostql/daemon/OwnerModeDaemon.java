package io.hostql.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.hostql.publishers.audit.AuditWitness;
import java.nio.file.Path;

/**
 * A hostqld that owns kernel audit for an end-to-end test class, and the kernel's audit state from before it,
 * which it must leave as it found (auditctl is the witness; the state is put back by hand if not).
 */
record OwnerModeDaemon(DaemonProcess daemon, String before) {
    /** Skips off-root, without auditctl, or next to a running auditd. */
    static OwnerModeDaemon start(Path config, Path data) throws Exception {
        AuditWitness.assumeRootWithAuditctl();
        assumeFalse(AuditWitness.systemAuditdRunning(), "an auditd is running on this machine: the owner-mode tests would not own audit");
        String before = AuditWitness.state();
        try {
            return new OwnerModeDaemon(DaemonProcess.start(config, data), before);
        } catch (Throwable t) {
            AuditWitness.restore(before);
            throw t;
        }
    }

    /** The rows of a query of its evented tables, read as hostqli reads them while it runs. */
    java.util.List<Object[]> rows(String sql) {
        return DaemonProcess.query(daemon.data, sql).rows();
    }

    void stop() throws Exception {
        try {
            assertThat(daemon.stop()).isZero();
            assertThat(AuditWitness.state()).as("kernel audit state after hostqld stopped").isEqualTo(before);
        } finally {
            AuditWitness.restore(before);
        }
    }
}
