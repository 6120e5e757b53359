package io.hostql.subscribers.audit;

import io.hostql.evented.EventedTables;
import io.hostql.evented.Row;
import io.hostql.events.SecurityEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** The rows of seccomp_events, selinux_events and apparmor_events, filled by column name, as osquery fills them. */
final class SecurityRows {
    private SecurityRows() {}

    private static final Row.Layout SECCOMP = Row.layout(EventedTables.SECCOMP_EVENTS);
    private static final Row.Int S_TIME = SECCOMP.integer("time"), S_UPTIME = SECCOMP.integer("uptime"), S_AUID = SECCOMP.integer("auid"),
            S_UID = SECCOMP.integer("uid"), S_GID = SECCOMP.integer("gid"), S_SES = SECCOMP.integer("ses"), S_PID = SECCOMP.integer("pid"),
            S_SIG = SECCOMP.integer("sig"), S_COMPAT = SECCOMP.integer("compat"), S_EVENT_TIME_MS = SECCOMP.integer("event_time_ms"),
            S_AUDIT_SERIAL = SECCOMP.integer("audit_serial");
    private static final Row.Text S_COMM = SECCOMP.text("comm"), S_EXE = SECCOMP.text("exe"), S_ARCH = SECCOMP.text("arch"),
            S_SYSCALL = SECCOMP.text("syscall"), S_IP = SECCOMP.text("ip"), S_CODE = SECCOMP.text("code");

    private static final Row.Layout SELINUX = Row.layout(EventedTables.SELINUX_EVENTS);
    private static final Row.Text SE_TYPE = SELINUX.text("type"), SE_MESSAGE = SELINUX.text("message");
    private static final Row.Int SE_TIME = SELINUX.integer("time"), SE_UPTIME = SELINUX.integer("uptime"),
            SE_EVENT_TIME_MS = SELINUX.integer("event_time_ms"), SE_AUDIT_SERIAL = SELINUX.integer("audit_serial");

    private static final Row.Layout APPARMOR = Row.layout(EventedTables.APPARMOR_EVENTS);
    private static final Row.Text A_TYPE = APPARMOR.text("type"), A_MESSAGE = APPARMOR.text("message"), A_APPARMOR = APPARMOR.text("apparmor"),
            A_OPERATION = APPARMOR.text("operation"), A_PROFILE = APPARMOR.text("profile"), A_NAME = APPARMOR.text("name"),
            A_COMM = APPARMOR.text("comm"), A_DENIED_MASK = APPARMOR.text("denied_mask"), A_CAPNAME = APPARMOR.text("capname"),
            A_REQUESTED_MASK = APPARMOR.text("requested_mask"), A_INFO = APPARMOR.text("info"), A_ERROR = APPARMOR.text("error"),
            A_NAMESPACE = APPARMOR.text("namespace"), A_LABEL = APPARMOR.text("label");
    private static final Row.Int A_TIME = APPARMOR.integer("time"), A_UPTIME = APPARMOR.integer("uptime"), A_PARENT = APPARMOR.integer("parent"),
            A_PID = APPARMOR.integer("pid"), A_FSUID = APPARMOR.integer("fsuid"), A_OUID = APPARMOR.integer("ouid"),
            A_CAPABILITY = APPARMOR.integer("capability"), A_EVENT_TIME_MS = APPARMOR.integer("event_time_ms"),
            A_AUDIT_SERIAL = APPARMOR.integer("audit_serial");

    static final long ARCH_X86_64 = 0xC000003EL;

    /** Audit architecture codes (linux/audit.h AUDIT_ARCH_*) and their names, as osquery labels them. */
    private static final Map<Long, String> ARCHES = Map.ofEntries(Map.entry(ARCH_X86_64, "X86_64"), Map.entry(0xC00000B7L, "AARCH64"),
            Map.entry(0x40000003L, "I386"), Map.entry(0x40000028L, "ARM"), Map.entry(0x00000028L, "ARMEB"),
            Map.entry(0x80000008L, "MIPS"), Map.entry(0x40000008L, "MIPSEL"), Map.entry(0x80000014L, "PPC"),
            Map.entry(0x80000015L, "PPC64"), Map.entry(0xC0000015L, "PPC64LE"), Map.entry(0x00000016L, "S390"),
            Map.entry(0x80000016L, "S390X"), Map.entry(0xC00000F3L, "RISCV64"), Map.entry(0x400000F3L, "RISCV32"));

    /** Seccomp actions (linux/seccomp.h SECCOMP_RET_*), by the action bits of the filter's return value. */
    private static final Map<Long, String> ACTIONS = Map.of(0x80000000L, "KILL_PROCESS", 0x00000000L, "KILL_THREAD",
            0x00030000L, "TRAP", 0x00050000L, "ERRNO", 0x7fc00000L, "USER_NOTIF", 0x7ff00000L, "TRACE", 0x7ffc0000L, "LOG",
            0x7fff0000L, "ALLOW");
    private static final long ACTION_MASK = 0xffff0000L;

    private static final Map<Long, String> X86_64_SYSCALLS = syscalls("syscalls-x86_64.tsv");

    /** Record type labels for selinux_events (linux/audit.h). */
    private static final Map<Integer, String> SELINUX_LABELS = Map.ofEntries(Map.entry(1107, "USER_AVC"), Map.entry(1400, "AVC"),
            Map.entry(1401, "SELINUX_ERR"), Map.entry(1402, "AVC_PATH"), Map.entry(1403, "MAC_POLICY_LOAD"), Map.entry(1404, "MAC_STATUS"),
            Map.entry(1405, "MAC_CONFIG_CHANGE"), Map.entry(1406, "MAC_UNLBL_ALLOW"), Map.entry(1407, "MAC_CIPSOV4_ADD"),
            Map.entry(1408, "MAC_CIPSOV4_DEL"), Map.entry(1409, "MAC_MAP_ADD"), Map.entry(1410, "MAC_MAP_DEL"),
            Map.entry(1411, "MAC_IPSEC_ADDSA"), Map.entry(1412, "MAC_IPSEC_DELSA"), Map.entry(1413, "MAC_IPSEC_ADDSPD"),
            Map.entry(1414, "MAC_IPSEC_DELSPD"), Map.entry(1415, "MAC_IPSEC_EVENT"), Map.entry(1416, "MAC_UNLBL_STCADD"),
            Map.entry(1417, "MAC_UNLBL_STCDEL"));

    /** Record type labels for apparmor_events: osquery's "AA" for the kernel's AVC; the older APPARMOR_* and USER_AVC by name. */
    private static final Map<Integer, String> APPARMOR_LABELS = Map.of(1400, "AA", 1107, "USER_AVC", 1501, "APPARMOR_AUDIT",
            1502, "APPARMOR_ALLOWED", 1503, "APPARMOR_DENIED", 1504, "APPARMOR_HINT", 1505, "APPARMOR_STATUS", 1506, "APPARMOR_ERROR",
            1507, "APPARMOR_KILL");

    static Row seccomp(SecurityEvent e, long time, Long uptime) {
        Long arch = hex(e.field("arch"));
        Long syscall = decimal(e.field("syscall"));
        String syscallName = syscall == null ? e.field("syscall")
                : arch != null && arch == ARCH_X86_64 ? X86_64_SYSCALLS.getOrDefault(syscall, syscall + "(unknown)") : Long.toString(syscall);
        Long code = hex(e.field("code"));
        String action = code == null ? e.field("code") : ACTIONS.getOrDefault(code & ACTION_MASK, code + "(unknown)");
        return SECCOMP.row().set(S_TIME, time).set(S_UPTIME, uptime).set(S_AUID, decimal(e.field("auid"))).set(S_UID, decimal(e.field("uid")))
                .set(S_GID, decimal(e.field("gid"))).set(S_SES, decimal(e.field("ses"))).set(S_PID, decimal(e.field("pid")))
                .set(S_COMM, e.field("comm")).set(S_EXE, e.field("exe")).set(S_SIG, decimal(e.field("sig")))
                .set(S_ARCH, arch == null ? e.field("arch") : ARCHES.getOrDefault(arch, arch + "(unknown)")).set(S_SYSCALL, syscallName)
                .set(S_COMPAT, decimal(e.field("compat"))).set(S_IP, e.field("ip")).set(S_CODE, action)
                .set(S_EVENT_TIME_MS, e.kernelMillis()).set(S_AUDIT_SERIAL, e.serial());
    }

    static Row selinux(SecurityEvent e, long time, Long uptime) {
        return SELINUX.row().set(SE_TYPE, label(SELINUX_LABELS, e.recordType())).set(SE_MESSAGE, SecurityEventsSubscriber.message(e))
                .set(SE_TIME, time).set(SE_UPTIME, uptime).set(SE_EVENT_TIME_MS, e.kernelMillis()).set(SE_AUDIT_SERIAL, e.serial());
    }

    static Row apparmor(SecurityEvent e, long time, Long uptime) {
        return APPARMOR.row().set(A_TYPE, label(APPARMOR_LABELS, e.recordType())).set(A_MESSAGE, SecurityEventsSubscriber.message(e))
                .set(A_TIME, time).set(A_UPTIME, uptime).set(A_APPARMOR, e.field("apparmor")).set(A_OPERATION, e.field("operation"))
                .set(A_PARENT, decimal(e.field("parent"))).set(A_PROFILE, e.field("profile")).set(A_NAME, e.field("name"))
                .set(A_PID, decimal(e.field("pid"))).set(A_COMM, e.field("comm")).set(A_DENIED_MASK, e.field("denied_mask"))
                .set(A_CAPNAME, e.field("capname")).set(A_FSUID, decimal(e.field("fsuid"))).set(A_OUID, decimal(e.field("ouid")))
                .set(A_CAPABILITY, decimal(e.field("capability"))).set(A_REQUESTED_MASK, e.field("requested_mask"))
                .set(A_INFO, e.field("info")).set(A_ERROR, e.field("error")).set(A_NAMESPACE, e.field("namespace"))
                .set(A_LABEL, e.field("label")).set(A_EVENT_TIME_MS, e.kernelMillis()).set(A_AUDIT_SERIAL, e.serial());
    }

    private static String label(Map<Integer, String> labels, int type) {
        return labels.getOrDefault(type, Integer.toString(type));
    }

    /** A decimal field (unsigned values such as an unset auid, 4294967295, stay as they are); null when absent or not a number. */
    static Long decimal(String v) {
        if (v == null) return null;
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A hex field, with or without 0x (arch comes without, code with); null when absent or not hex. */
    static Long hex(String v) {
        if (v == null) return null;
        String digits = v.startsWith("0x") || v.startsWith("0X") ? v.substring(2) : v;
        try {
            return digits.isEmpty() || digits.length() > 16 ? null : Long.parseUnsignedLong(digits, 16);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Map<Long, String> syscalls(String resource) {
        Map<Long, String> out = new HashMap<>();
        try (InputStream in = SecurityRows.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing resource " + resource);
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isEmpty() || line.startsWith("#")) continue;
                int tab = line.indexOf('\t');
                out.put(Long.parseLong(line.substring(0, tab)), line.substring(tab + 1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.copyOf(out);
    }
}
