package io.hostql.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hostql.publishers.audit.AuditWitness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * seccomp_events, selinux_events and apparmor_events from a real hostqld in owner mode on the real kernel.
 * seccomp: a process whose filter answers SECCOMP_RET_LOG for getppid makes the kernel's SECCOMP record.
 * SELinux and AppArmor are not active in this machine's kernel (no kernel AVC can be made), so their rows
 * come from USER_AVC records sent through the audit socket, as dbus-daemon and systemd send theirs; the
 * kernel stamps and forwards them like any record. (Kernel AVC texts: SecurityRecordsTest.)
 */
class AuditSecurityEndToEndTest {
    @TempDir
    static Path tmp;
    static OwnerModeDaemon owner;
    static DaemonProcess daemon;

    /** A process that logs its own getppid through a seccomp filter (SECCOMP_RET_LOG) and prints its pid. */
    static final String SECCOMP_LOG = """
            import ctypes, os, platform
            libc = ctypes.CDLL(None, use_errno=True)
            nr = {"x86_64": 110, "aarch64": 173}[platform.machine()]  # getppid
            class Insn(ctypes.Structure):
                _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]
            class Prog(ctypes.Structure):
                _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(Insn))]
            # load nr; if nr == getppid return LOG else return ALLOW
            insns = (Insn * 4)(Insn(0x20, 0, 0, 0), Insn(0x15, 0, 1, nr), Insn(0x06, 0, 0, 0x7ffc0000), Insn(0x06, 0, 0, 0x7fff0000))
            prog = Prog(4, insns)
            ul = ctypes.c_ulong
            if libc.prctl(38, ul(1), ul(0), ul(0), ul(0)) != 0 or libc.prctl(22, ul(2), ctypes.byref(prog), ul(0), ul(0)) != 0:
                raise OSError(ctypes.get_errno(), "seccomp filter")
            libc.syscall(ctypes.c_long(nr))
            print(os.getpid())
            """;

    /** Sends one user-space audit record (type, text) over NETLINK_AUDIT and waits for the kernel's answer. */
    static final String SEND_USER_RECORD = """
            import socket, struct, sys
            s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 9)
            s.bind((0, 0))
            body = sys.argv[2].encode() + b"\\0"
            s.send(struct.pack("=IHHII", 16 + len(body), int(sys.argv[1]), 0x5, 1, 0) + body)  # NLM_F_REQUEST | NLM_F_ACK
            err = struct.unpack("=i", s.recv(4096)[16:20])[0]
            sys.exit(-err)
            """;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs python3 (scripts/install-deps installs it) to make the records");
        owner = OwnerModeDaemon.start(Files.writeString(tmp.resolve("hostql.conf"), "{\"options\": {\"disable_audit\": false, \"audit_mode\": \"owner\","
                + " \"audit_allow_process_events\": false, \"audit_allow_user_events\": false, \"audit_allow_seccomp_events\": true,"
                + " \"audit_allow_selinux_events\": true, \"audit_allow_apparmor_events\": true}}"), tmp.resolve("data"));
        daemon = owner.daemon();
    }

    @AfterAll
    static void stop() throws Exception {
        if (owner != null) owner.stop();
    }

    static void waitFor(String sql, String what) throws InterruptedException {
        try {
            DaemonProcess.waitFor(() -> !owner.rows(sql).isEmpty(), 10, what);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nhostqld output:\n" + daemon.output(), e);
        }
    }

    @Test
    void aSeccompLoggedSyscallIsARow() throws Exception {
        long pid = Long.parseLong(AuditWitness.run("/usr/bin/python3", "-c", SECCOMP_LOG).strip());
        String where = " FROM seccomp_events WHERE pid = " + pid;
        waitFor("SELECT 1" + where, "the seccomp_events row of pid " + pid);
        List<Object[]> r = owner.rows("SELECT auid, uid, gid, ses, comm, exe, sig, arch, syscall, compat, ip, code, time, uptime, event_time_ms" + where);
        assertThat(r).hasSize(1);
        Object[] row = r.get(0);
        assertThat(row[1]).isEqualTo(0L);
        assertThat(row[2]).isEqualTo(0L);
        assertThat((String) row[4]).startsWith("python3");
        assertThat(Path.of((String) row[5]).getFileName().toString()).startsWith("python3");
        assertThat(row[6]).isEqualTo(0L);
        String machine = System.getProperty("os.arch").equals("aarch64") ? "AARCH64" : "X86_64";
        assertThat(row[7]).isEqualTo(machine);
        assertThat(row[8]).isEqualTo(machine.equals("X86_64") ? "getppid" : "173");
        assertThat(row[9]).isEqualTo(0L);
        assertThat((String) row[10]).startsWith("0x");
        assertThat(row[11]).isEqualTo("LOG");
        long now = System.currentTimeMillis() / 1000;
        assertThat((Long) row[12]).isBetween(now - 60, now);
        assertThat((Long) row[13]).isPositive();
        assertThat((Long) row[14] / 1000).isBetween(now - 60, now);
    }

    @Test
    void userAvcRecordsGoToSelinuxOrApparmorEvents() throws Exception {
        String marker = "hostql-" + UUID.randomUUID();
        AuditWitness.run("/usr/bin/python3", "-c", SEND_USER_RECORD, "1107",
                "avc:  denied  { send_msg } for msgtype=method_call interface=" + marker
                        + " scontext=system_u:system_r:httpd_t:s0 tcontext=system_u:system_r:init_t:s0 tclass=dbus permissive=0");
        AuditWitness.run("/usr/bin/python3", "-c", SEND_USER_RECORD, "1107",
                "apparmor=\"DENIED\" operation=\"dbus_method_call\" bus=\"system\" path=\"/" + marker.replace('-', '_') + "\""
                        + " name=\"org.example\" mask=\"send\" pid=4242 label=\"hostql-test\" peer_label=\"unconfined\"");

        waitFor("SELECT 1 FROM selinux_events WHERE message LIKE '%" + marker + "%'", "the selinux_events row");
        Object[] se = owner.rows("SELECT type, message, uptime FROM selinux_events WHERE message LIKE '%" + marker + "%'").get(0);
        assertThat(se[0]).isEqualTo("USER_AVC");
        assertThat((String) se[1]).startsWith("audit(").contains("msg='avc:  denied  { send_msg }").contains("tclass=dbus");
        assertThat((Long) se[2]).isPositive();

        String path = "/" + marker.replace('-', '_');
        waitFor("SELECT 1 FROM apparmor_events WHERE message LIKE '%" + path + "%'", "the apparmor_events row");
        Object[] aa = owner.rows("SELECT type, apparmor, operation, name, pid, label, profile FROM apparmor_events WHERE message LIKE '%" + path + "%'").get(0);
        assertThat(aa).containsExactly("USER_AVC", "DENIED", "dbus_method_call", "org.example", 4242L, "hostql-test", null);
        assertThat(owner.rows("SELECT 1 FROM selinux_events WHERE message LIKE '%" + path + "%'")).as("an AppArmor record is not SELinux's").isEmpty();
        assertThat(owner.rows("SELECT 1 FROM apparmor_events WHERE message LIKE '%" + marker + "%' AND message NOT LIKE '%" + path + "%'"))
                .as("an SELinux record is not AppArmor's").isEmpty();
    }
}
