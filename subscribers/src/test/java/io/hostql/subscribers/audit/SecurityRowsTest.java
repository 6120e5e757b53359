package io.hostql.subscribers.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.evented.EventedTables;
import io.hostql.events.SecurityEvent;
import io.hostql.events.SecurityEvent.Kind;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The rows of the three tables from the fields the publisher keeps (its parsing of real record texts is
 * SecurityRecordsTest's): osquery's names for architectures, syscalls and seccomp actions, its
 * "N(unknown)" for codes it has no name for, and one value per column.
 */
class SecurityRowsTest {
    static SecurityEvent event(int type, Kind kind, String... nameValue) {
        String[] names = new String[nameValue.length / 2], values = new String[nameValue.length / 2];
        for (int i = 0; i < names.length; i++) {
            names[i] = nameValue[2 * i];
            values[i] = nameValue[2 * i + 1];
        }
        return new SecurityEvent(1L, 1765000000123L, 456, type, kind, "audit(1765000000.123:456): ...".getBytes(StandardCharsets.UTF_8), names, values);
    }

    @Test
    void seccompNamesArchSyscallAndAction() {
        Object[] row = SecurityRows.seccomp(event(1326, Kind.SECCOMP, "auid", "4294967295", "uid", "0", "gid", "0", "ses", "4294967295",
                "pid", "1234", "comm", "python3", "exe", "/usr/bin/python3.11", "sig", "0", "arch", "c000003e", "syscall", "110",
                "compat", "0", "ip", "0x7f1d2c0e5a3b", "code", "0x7ffc0000"), 1765000001L, 42L).values();
        assertThat(row).hasSize(EventedTables.SECCOMP_EVENTS.columns().size());
        assertThat(row).containsExactly(1765000001L, 42L, 4294967295L, 0L, 0L, 4294967295L, 1234L, "python3", "/usr/bin/python3.11", 0L,
                "X86_64", "getppid", 0L, "0x7f1d2c0e5a3b", "LOG", null, 1765000000123L, 456L);
    }

    @Test
    void seccompUnknownCodesAreNumbered() {
        Object[] row = SecurityRows.seccomp(event(1326, Kind.SECCOMP, "arch", "c00000b7", "syscall", "173", "code", "0x50001", "sig", "31"),
                1L, null).values();
        int arch = EventedTables.SECCOMP_EVENTS.indexOf("arch");
        assertThat(row[arch]).isEqualTo("AARCH64");
        assertThat(row[arch + 1]).as("syscall names only for x86_64, as osquery").isEqualTo("173");
        assertThat(row[EventedTables.SECCOMP_EVENTS.indexOf("code")]).as("ERRNO with its errno in the data bits").isEqualTo("ERRNO");
        Object[] odd = SecurityRows.seccomp(event(1326, Kind.SECCOMP, "arch", "12345", "syscall", "9999", "code", "0x12340000"), 1L, null).values();
        assertThat(odd[arch]).isEqualTo(0x12345 + "(unknown)");
        assertThat(odd[EventedTables.SECCOMP_EVENTS.indexOf("code")]).isEqualTo(0x12340000 + "(unknown)");
        Object[] x86 = SecurityRows.seccomp(event(1326, Kind.SECCOMP, "arch", "c000003e", "syscall", "9999"), 1L, null).values();
        assertThat(x86[arch + 1]).isEqualTo("9999(unknown)");
        assertThat(x86[EventedTables.SECCOMP_EVENTS.indexOf("pid")]).as("a missing field is NULL").isNull();
    }

    @Test
    void selinuxAndApparmorRows() {
        Object[] se = SecurityRows.selinux(event(1401, Kind.SELINUX, "op", "security_compute_av"), 5L, 6L).values();
        assertThat(se).hasSize(EventedTables.SELINUX_EVENTS.columns().size());
        assertThat(se[0]).isEqualTo("SELINUX_ERR");
        assertThat(se[1]).isEqualTo("audit(1765000000.123:456): ...");
        assertThat(SecurityRows.selinux(event(1499, Kind.SELINUX), 5L, 6L).values()[0]).isEqualTo("1499");

        Object[] aa = SecurityRows.apparmor(event(1400, Kind.APPARMOR, "apparmor", "DENIED", "operation", "capable", "parent", "1",
                "profile", "/usr/sbin/ntpd", "pid", "300", "comm", "ntpd", "capability", "1", "capname", "dac_override"), 5L, 6L).values();
        assertThat(aa).hasSize(EventedTables.APPARMOR_EVENTS.columns().size());
        var t = EventedTables.APPARMOR_EVENTS;
        assertThat(aa[t.indexOf("type")]).isEqualTo("AA");
        assertThat(aa[t.indexOf("apparmor")]).isEqualTo("DENIED");
        assertThat(aa[t.indexOf("parent")]).isEqualTo(1L);
        assertThat(aa[t.indexOf("capability")]).isEqualTo(1L);
        assertThat(aa[t.indexOf("capname")]).isEqualTo("dac_override");
        assertThat(aa[t.indexOf("profile")]).isEqualTo("/usr/sbin/ntpd");
        assertThat(aa[t.indexOf("denied_mask")]).isNull();
        assertThat(aa[t.indexOf("audit_serial")]).isEqualTo(456L);
    }
}
