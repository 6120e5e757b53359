package io.hostql.publishers.audit;

import io.hostql.events.SecurityEvent;
import io.hostql.events.SecurityEvent.Kind;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Which security-module records the audit publisher keeps, and their journal event: osquery's
 * audit_allow_seccomp_events (SECCOMP), audit_allow_selinux_events (USER_AVC, AVC and the other SELinux
 * types 1400-1417 without an {@code apparmor} field) and audit_allow_apparmor_events (AVC, APPARMOR_*
 * 1500-1507 and USER_AVC carrying an {@code apparmor} field). The kernel sends these with no rule, as
 * long as audit is enabled.
 */
public record SecurityRecords(boolean seccomp, boolean selinux, boolean apparmor) {
    public static final SecurityRecords NONE = new SecurityRecords(false, false, false);

    static final int USER_AVC = 1107, SECCOMP = 1326, AVC = 1400, LAST_SELINUX = 1417, FIRST_APPARMOR = 1500, LAST_APPARMOR = 1507;

    /** Fields the kernel logs as untrusted strings (quoted, or hex when they hold spaces or quotes). */
    private static final Set<String> STRINGS = Set.of("comm", "exe", "name", "profile", "label", "namespace", "info", "peer",
            "target", "peer_addr", "path", "addr", "msg", "exename");

    /** The field that makes an AVC or USER_AVC record AppArmor's. */
    private static final AuditRecord.Name APPARMOR = AuditRecord.Name.of("apparmor");

    public boolean any() {
        return seccomp || selinux || apparmor;
    }

    /** Whether a record of this type is one of the security types at all (even if none is kept). */
    static boolean isSecurityType(int type) {
        return type == USER_AVC || type == SECCOMP || type >= AVC && type <= LAST_SELINUX || type >= FIRST_APPARMOR && type <= LAST_APPARMOR;
    }

    /** The table the record is for, or null when it is not kept. */
    Kind kind(AuditRecord r) {
        String aa = r.raw(APPARMOR);
        return kind(r.type, aa != null && !aa.isEmpty());
    }

    /** The same, from the record's type and whether it has a non-empty {@code apparmor} field (the reader's byte scan). */
    Kind kind(int type, boolean isAppArmor) {
        if (type == SECCOMP) return seccomp ? Kind.SECCOMP : null;
        if (isAppArmor && (type == USER_AVC || type == AVC || type >= FIRST_APPARMOR && type <= LAST_APPARMOR)) {
            return apparmor ? Kind.APPARMOR : null;
        }
        if (!isAppArmor && (type == USER_AVC || type >= AVC && type <= LAST_SELINUX)) return selinux ? Kind.SELINUX : null;
        return null;
    }

    /** The journal event for a kept record, captured (taken off the socket) at captureNanos. */
    static SecurityEvent event(AuditRecord r, Kind kind, long captureNanos) {
        int n = r.fieldCount();
        String[] names = new String[n], values = new String[n];
        for (int i = 0; i < n; i++) {
            names[i] = r.name(i);
            byte[] decoded = STRINGS.contains(names[i]) ? r.bytes(i) : null;
            values[i] = decoded != null ? new String(decoded, StandardCharsets.UTF_8) : r.raw(i);
        }
        return new SecurityEvent(captureNanos, r.millis, r.serial, r.type, kind, r.text().getBytes(StandardCharsets.UTF_8), names, values);
    }
}
