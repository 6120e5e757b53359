package io.hostql.publishers.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.events.AuditRecordsEvent;
import io.hostql.events.Event;
import io.hostql.events.ProcessEvent;
import io.hostql.events.SocketEvent;
import io.hostql.events.UserEvent;
import io.hostql.publishers.audit.AuditRecord.Name;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Record parsing and assembly on record texts in the kernel's format (as auditd logs them after
 * "msg="), including the cases a short test run rarely produces: arguments split over records,
 * interleaved events, lost end records, out-of-order serials.
 */
class RecordAssemblyTest {
    static AuditRecord rec(int type, String text) {
        return AuditRecord.parse(type, text.getBytes(StandardCharsets.ISO_8859_1));
    }

    static String hex(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.ISO_8859_1)) sb.append(String.format("%02X", b & 0xff));
        return sb.toString();
    }

    static final String SYSCALL = "audit(1700000000.123:42): arch=c000003e syscall=59 success=yes exit=0 a0=55d1 a1=55d2 a2=55d3 a3=0"
            + " items=2 ppid=100 pid=101 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3"
            + " comm=\"ls\" exe=\"/usr/bin/ls\" key=\"hostql\"";

    @Test
    void stampAndFields() {
        AuditRecord r = rec(1300, SYSCALL);
        assertThat(r.millis).isEqualTo(1700000000123L);
        assertThat(r.serial).isEqualTo(42);
        assertThat(r.number(Name.of("pid"), -1)).isEqualTo(101);
        assertThat(r.hexNumber(Name.of("arch"), 0)).isEqualTo(0xc000003eL);
        assertThat(new String(r.bytes(Name.of("exe")), StandardCharsets.UTF_8)).isEqualTo("/usr/bin/ls");
        assertThat(r.raw(Name.of("key"))).isEqualTo("hostql");
        assertThat(rec(1300, "no stamp here")).isNull();
    }

    /** Fields are looked up from the last one found on: any order, any repetition, gives each field's value. */
    @Test
    void fieldsInAnyOrderAndAgain() {
        AuditRecord r = rec(1300, SYSCALL);
        String[] names = {"arch", "syscall", "success", "exit", "a0", "a1", "a2", "a3", "items", "ppid", "pid", "auid", "uid", "gid",
                "euid", "suid", "fsuid", "egid", "sgid", "fsgid", "tty", "ses", "comm", "exe", "key"};
        String[] values = {"c000003e", "59", "yes", "0", "55d1", "55d2", "55d3", "0", "2", "100", "101", "1000", "0", "0",
                "0", "0", "0", "0", "0", "0", "pts0", "3", "ls", "/usr/bin/ls", "hostql"};
        java.util.Random random = new java.util.Random(15);
        for (int round = 0; round < 200; round++) {
            int i = round < names.length ? names.length - 1 - round : random.nextInt(names.length); // backwards, then at random
            assertThat(r.raw(Name.of(names[i]))).as(names[i]).isEqualTo(values[i]);
        }
        assertThat(r.raw(Name.of("nosuch"))).isNull();
        assertThat(r.raw(Name.of("a"))).isNull();
        assertThat(r.hexNumber(Name.of("a1"), -1)).isEqualTo(0x55d2);
        assertThat(r.number(Name.of("ppid"), -1)).isEqualTo(100);
        // Inside a msg='...' a name may repeat an outer one: the outer (first) field wins, whatever was asked before.
        AuditRecord u = rec(1100, "audit(1700000000.500:78): pid=321 uid=0 msg='op=x uid=7 pid=9 res=success'");
        assertThat(u.raw(Name.of("op"))).isEqualTo("x");
        assertThat(u.number(Name.of("pid"), -1)).isEqualTo(321);
        assertThat(u.number(Name.of("uid"), -1)).isEqualTo(0);
        assertThat(u.raw(Name.of("res"))).isEqualTo("success");
        assertThat(u.number(Name.of("uid"), -1)).isEqualTo(0);
    }

    @Test
    void hexEncodedAndNullValues() {
        AuditRecord r = rec(1307, "audit(1700000000.123:42): cwd=" + hex("/tmp/a dir") + " other=(null)");
        assertThat(new String(r.bytes(Name.of("cwd")), StandardCharsets.UTF_8)).isEqualTo("/tmp/a dir");
        assertThat(r.bytes(Name.of("other"))).isNull();
    }

    @Test
    void userMessageFieldsInsideMsg() {
        AuditRecord r = rec(1105, "audit(1700000000.500:77): pid=321 uid=0 auid=4294967295 ses=4294967295 subj=unconfined"
                + " msg='op=PAM:session_open grantors=pam_unix acct=\"nobody\" exe=\"/usr/sbin/runuser\" hostname=? addr=? terminal=pts/1 res=success'");
        UserEvent e = EventBuilder.user(r, 0);
        assertThat(e.pid()).isEqualTo(321);
        assertThat(e.auid()).isEqualTo(4294967295L);
        assertThat(new String(e.message(), StandardCharsets.UTF_8)).startsWith("op=PAM:session_open grantors=").endsWith("res=success");
        assertThat(new String(e.exe(), StandardCharsets.UTF_8)).isEqualTo("/usr/sbin/runuser");
        assertThat(e.terminal()).isEqualTo("pts/1");
        assertThat(e.address()).isEqualTo("?");
    }

    /** Raw groups as the reader makes them, for the test to decode as the subscribers do. */
    static final class Groups {
        final List<AuditRecordsEvent> done = new ArrayList<>();
        final RawGroups raw;

        Groups(long timeoutNanos, int maxOpen) {
            raw = new RawGroups((b, flags, syscall, cut) -> done.add(new AuditRecordsEvent(1, flags, b)),
                    timeoutNanos, maxOpen);
        }

        void add(int type, String text, boolean wanted, long now) {
            byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
            raw.add(type, RecordFraming.serial(b, b.length), b, b.length, wanted, null, now);
        }

        Event event(int i) {
            return AuditDecoder.syscall(done.get(i));
        }
    }

    @Test
    void argumentsSplitOverRecordsAndPiecesAreJoined() {
        Groups g = new Groups(3_000_000_000L, 100);
        List<AuditRecordsEvent> done = g.done;
        String big1 = "x".repeat(10), big2 = "y y";
        g.add(1300, SYSCALL, true, 0);
        // another event interleaves
        g.add(1300, SYSCALL.replace(":42)", ":43)").replace("pid=101", "pid=202"), true, 0);
        g.add(1309, "audit(1700000000.123:42): argc=4 a0=\"ls\" a1=" + hex("-l a"), true, 0);
        g.add(1309, "audit(1700000000.123:42): a2_len=13 a2[0]=" + hex(big1), true, 0);
        g.add(1309, "audit(1700000000.123:42): a2[1]=" + hex(big2) + " a3=\"end\"", true, 0);
        g.add(1307, "audit(1700000000.123:42): cwd=\"/root\"", true, 0);
        g.add(1302, "audit(1700000000.123:42): item=0 name=\"/usr/bin/ls\" inode=5 dev=08:01 mode=0100755 ouid=0 ogid=0", true, 0);
        g.add(1302, "audit(1700000000.123:42): item=1 name=\"/lib64/ld-linux-x86-64.so.2\" mode=0100644 ouid=7 ogid=7", true, 0);
        g.add(1320, "audit(1700000000.123:42): ", true, 0);
        assertThat(done).hasSize(1);
        ProcessEvent e = (ProcessEvent) g.event(0);
        assertThat(e.argc()).isEqualTo(4);
        assertThat(new String(e.cmdline(), StandardCharsets.UTF_8)).isEqualTo("ls -l a " + big1 + big2 + " end");
        assertThat(e.mode()).isEqualTo(0100755);
        assertThat(e.ouid()).isZero();
        assertThat(new String(e.cwd(), StandardCharsets.UTF_8)).isEqualTo("/root");
        assertThat(e.flags()).isZero();

        // serial 43 never gets its EOE: handed over as incomplete after the timeout, argv from PROCTITLE
        g.add(1327, "audit(1700000000.123:43): proctitle=" + hex("sleep\0" + "5"), true, 1);
        assertThat(g.raw.expire(2_000_000_000L)).isZero();
        assertThat(g.raw.expire(3_000_000_001L)).isEqualTo(1);
        ProcessEvent partial = (ProcessEvent) g.event(1);
        assertThat(partial.flags()).isEqualTo(ProcessEvent.INCOMPLETE | ProcessEvent.ARGV_FROM_PROCTITLE);
        assertThat(new String(partial.cmdline(), StandardCharsets.UTF_8)).isEqualTo("sleep 5");
        assertThat(partial.pid()).isEqualTo(202);
    }

    @Test
    void unwantedSyscallsAreDroppedWithTheirRecords() {
        Groups g = new Groups(1, 100);
        g.add(1300, SYSCALL.replace("syscall=59", "syscall=2"), false, 0);
        g.add(1302, "audit(1700000000.123:42): item=0 name=\"/etc/passwd\"", true, 0);
        g.add(1320, "audit(1700000000.123:42): ", true, 0);
        assertThat(g.done).isEmpty();
        assertThat(g.raw.openCount()).isZero();
    }

    @Test
    void socketEventCarriesTheSockaddr() {
        List<AuditRecord> rs = List.of(rec(1300, SYSCALL.replace("syscall=59", "syscall=42").replace("a0=55d1", "a0=3")),
                rec(1306, "audit(1700000000.123:42): saddr=020000507F0000010000000000000000"));
        SocketEvent e = (SocketEvent) EventBuilder.syscall(rs, true, 0);
        assertThat(e.syscall()).isEqualTo("connect");
        assertThat(e.a0()).isEqualTo(3);
        assertThat(e.sockaddr()).startsWith(2, 0, 0, 0x50, 127, 0, 0, 1);
    }

    @Test
    void serialGapsWaitForLateArrivals() {
        SerialGaps g = new SerialGaps(1000);
        long[] range = new long[2];
        g.seen(10, 0);
        g.seen(11, 0);
        g.seen(15, 0); // 12, 13, 14 missing for now
        g.seen(13, 10); // arrives late
        assertThat(g.expire(500, range)).isZero();
        assertThat(g.expire(1500, range)).isEqualTo(2);
        assertThat(range).containsExactly(12, 14);
        g.seen(12, 1600); // too late to matter: already counted, and not counted twice
        g.seen(16, 1600);
        assertThat(g.expire(5000, range)).isZero();
        assertThat(g.lost()).isEqualTo(2);
    }
}
