package io.hostql.publishers.audit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hostql.publishers.RecordedEvents;

/** Shared by the audit tests: the root check and an in-memory sink with waits (auditctl is {@link AuditWitness}). */
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

    /** Records what the publisher appends; waits for expected events. */
    static final class Sink extends RecordedEvents {}
}
