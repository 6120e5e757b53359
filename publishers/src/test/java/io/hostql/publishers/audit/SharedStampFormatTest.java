package io.hostql.publishers.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.events.AuditRecordsEvent;
import io.hostql.events.Event;
import io.hostql.events.RecordOutput;
import io.hostql.events.Records;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The raw audit journal's two layouts: what the reader writes now (a group's stamp once, only the records its table
 * reads) decodes to the same events as the layout journals written before hold (every record whole), for recorded
 * groups of each kind, with the reader's capture time kept. Kernel texts as auditd logs them after "msg=".
 */
class SharedStampFormatTest {
    static final long CAPTURED = 1_700_000_000_777_000_000L;
    static final String IDS = " ppid=900 pid=901 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000"
            + " fsgid=1000 tty=pts0 ses=2";

    record Rec(int type, String text) {}

    static Rec r(int type, String serialStamp, String body) {
        return new Rec(type, "audit(" + serialStamp + "): " + body);
    }

    static final String EXEC = "1700000000.123:42";
    static final List<Rec> PROCESS = List.of(
            r(1300, EXEC, "arch=c000003e syscall=59 success=yes exit=0 a0=55d1 a1=55d2 a2=55d3 a3=0 items=2" + IDS
                    + " comm=\"ls\" exe=\"/usr/bin/ls\" key=\"hostql\""),
            r(1309, EXEC, "argc=3 a0=\"ls\" a1=\"-l\" a2=" + RecordAssemblyTest.hex("a dir")),
            r(1307, EXEC, "cwd=\"/root\""),
            r(1302, EXEC, "item=0 name=\"/usr/bin/ls\" inode=5 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL"),
            r(1302, EXEC, "item=1 name=\"/lib64/ld-linux-x86-64.so.2\" inode=6 dev=08:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL"),
            r(1327, EXEC, "proctitle=6C73002D6C00612064697200"),
            r(1320, EXEC, ""));
    static final String CONNECT = "1700000000.250:7001";
    static final List<Rec> SOCKET = List.of(
            r(1300, CONNECT, "arch=c000003e syscall=42 success=yes exit=0 a0=3 a1=7ffd a2=10 a3=0 items=0" + IDS
                    + " comm=\"udpc\" exe=\"/tmp/udpc\" key=(null)"),
            r(1306, CONNECT, "saddr=020000097F0000010000000000000000"),
            r(1327, CONNECT, "proctitle=2E2F75647063"),
            r(1320, CONNECT, ""));
    static final String OPENAT = "1700000000.300:7002";
    static final List<Rec> FILE_CALL = List.of(
            r(1300, OPENAT, "arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c a1=7ffd1000 a2=80241 a3=1b6 items=2" + IDS
                    + " comm=\"python3\" exe=\"/usr/bin/python3.11\" key=\"hostql\""),
            r(1307, OPENAT, "cwd=\"/root\""),
            r(1302, OPENAT, "item=0 name=\"/srv/watched/\" inode=1001 dev=fd:01 mode=040755 ouid=0 ogid=0 rdev=00:00 nametype=PARENT"),
            r(1302, OPENAT, "item=1 name=" + RecordAssemblyTest.hex("/srv/watched/a b.txt") + " inode=2002 dev=fd:01 mode=0100644 ouid=0"
                    + " ogid=0 rdev=00:00 nametype=CREATE"),
            r(1327, OPENAT, "proctitle=707974686F6E33"),
            r(1320, OPENAT, ""));
    static final String CLONE = "1700000000.400:7003";
    static final List<Rec> FORK = List.of(
            r(1300, CLONE, "arch=c000003e syscall=56 success=yes exit=4243 a0=1200011 a1=0 a2=0 a3=7f01 items=0" + IDS
                    + " comm=\"bash\" exe=\"/usr/bin/bash\" key=\"hostql\""),
            r(1327, CLONE, "proctitle=62617368"),
            r(1320, CLONE, ""));
    /** A record whose stamp is not the group's (never seen from a kernel, but the layout must keep it). */
    static final List<Rec> MIXED_STAMPS = List.of(
            r(1300, "1700000000.500:7004", "arch=c000003e syscall=49 success=yes exit=0 a0=3 a1=7ffd a2=10 a3=0 items=0" + IDS
                    + " comm=\"udpd\" exe=\"/tmp/udpd\" key=(null)"),
            r(1306, "1700000000.501:7004", "saddr=0A000035000000000000000000000000000000000000000100000000"),
            r(1320, "1700000000.500:7004", ""));
    static final List<Rec> USER = List.of(r(1105, "1700000000.600:77", "pid=321 uid=0 auid=4294967295 ses=4294967295 subj=unconfined"
            + " msg='op=PAM:session_open grantors=pam_unix acct=\"nobody\" exe=\"/usr/sbin/runuser\" hostname=? addr=? terminal=pts/1 res=success'"));
    static final List<Rec> USER_AVC = List.of(r(1107, "1700000000.900:55", "pid=77 uid=0 auid=0 ses=1 msg='avc:  denied  { status } for"
            + " auid=0 uid=0 gid=0 cmdline=\"systemctl status\" scontext=u:r:t:s0 tcontext=u:r:init_t:s0 tclass=system exe=\"/usr/bin/systemctl\"'"));
    static final List<Rec> SECCOMP = List.of(r(1326, "1700000000.950:56", "auid=1000 uid=1000 gid=1000 ses=2 subj=unconfined pid=4321"
            + " comm=\"curl\" exe=\"/usr/bin/curl\" sig=31 arch=c000003e syscall=41 compat=0 ip=0x7f5e code=0x80000000"));

    /** The reader's journal events for records fed to it as the kernel would. */
    static List<AuditRecordsEvent> journaled(List<Rec> recs) {
        List<AuditRecordsEvent> out = new ArrayList<>();
        AuditPublisher p = new AuditPublisher(new AuditPublisher.Config(AuditPublisher.Mode.OWNER, true, true, true, true, true, 8192, 0,
                Path.of("/nonexistent/hostql-shared-stamp"), new SecurityRecords(true, true, true), new SyscallGroups(true, true, true)), e -> {
                    out.add((AuditRecordsEvent) e);
                    return out.size();
                });
        for (Rec rec : recs) p.record(rec.type, (rec.text + "\n\0").getBytes(StandardCharsets.ISO_8859_1));
        return out;
    }

    /** The layout journals written before the shared stamp hold: every record but EOE, its text whole. */
    static byte[] oldLayout(List<Rec> recs) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (Rec rec : recs) {
            if (rec.type == EventBuilder.EOE) continue;
            byte[] t = rec.text.getBytes(StandardCharsets.ISO_8859_1);
            b.write(rec.type);
            b.write(rec.type >>> 8);
            b.write(t.length);
            b.write(t.length >>> 8);
            b.writeBytes(t);
        }
        return b.toByteArray();
    }

    /** Through the journal's encoding, read back with the reader's capture time, as a subscriber reads it. */
    static AuditRecordsEvent read(int flags, byte[] records) {
        RecordOutput o = new RecordOutput();
        new AuditRecordsEvent(CAPTURED, flags, records).encode(o);
        return (AuditRecordsEvent) Records.decode(io.hostql.events.EventType.AUDIT_RECORDS, CAPTURED, Arrays.copyOf(o.array(), o.length()));
    }

    /** The group journaled now and in the old layout decode to the same events, with the capture time; returns the new one. */
    static AuditRecordsEvent decodesAsTheOldLayout(List<Rec> recs, int expectedEvents) {
        List<AuditRecordsEvent> raw = journaled(recs);
        assertThat(raw).hasSize(1);
        AuditRecordsEvent now = read(raw.get(0).flags(), raw.get(0).records());
        AuditRecordsEvent old = read(AuditRecordsEvent.COMPLETE, oldLayout(recs));
        List<Event> fromNew = AuditDecoder.decode(now), fromOld = AuditDecoder.decode(old);
        assertThat(fromNew).hasSize(expectedEvents).allMatch(e -> e.captureNanos() == CAPTURED, "the reader's capture time");
        assertThat(fromNew).usingRecursiveFieldByFieldElementComparator().isEqualTo(fromOld);
        assertThat(AuditDecoder.syscallName(now)).isEqualTo(AuditDecoder.syscallName(old));
        assertThat(now.firstType()).isEqualTo(old.firstType());
        return now;
    }

    @Test
    void aProcessGroupDecodesAsBeforeAndKeepsItsProctitle() {
        AuditRecordsEvent now = decodesAsTheOldLayout(PROCESS, 1);
        assertThat(now.sharedStamp()).isTrue();
        assertThat(now.complete()).isTrue();
        assertThat(types(now)).as("an exec keeps every record (PROCTITLE is its argv when EXECVE is missing)")
                .containsExactly(1300, 1309, 1307, 1302, 1302, 1327);
        assertThat(new String(now.records(), AuditRecordsEvent.STAMP_OFFSET, now.stampLength(), StandardCharsets.US_ASCII))
                .isEqualTo("audit(" + EXEC + "):");
    }

    @Test
    void aSocketGroupDecodesAsBeforeInFewerBytes() {
        AuditRecordsEvent now = decodesAsTheOldLayout(SOCKET, 1);
        assertThat(types(now)).as("no PROCTITLE: socket_events does not read it").containsExactly(1300, 1306);
        int old = oldLayout(SOCKET).length;
        int proctitle = 4 + SOCKET.get(2).text.length();
        int stamp = ("audit(" + CONNECT + "):").length();
        assertThat(now.records().length).as("the stamp once, no PROCTITLE").isEqualTo(old - proctitle - stamp + 2);
    }

    @Test
    void aFileCallAndAForkDecodeAsBefore() {
        assertThat(types(decodesAsTheOldLayout(FILE_CALL, 1))).containsExactly(1300, 1307, 1302, 1302);
        assertThat(types(decodesAsTheOldLayout(FORK, 1))).containsExactly(1300);
    }

    @Test
    void aRecordWithAStampOfItsOwnKeepsIt() {
        AuditRecordsEvent now = decodesAsTheOldLayout(MIXED_STAMPS, 1);
        List<Boolean> stamped = new ArrayList<>();
        now.forEach((type, own, b, off, len) -> stamped.add(own));
        assertThat(stamped).containsExactly(false, true);
    }

    @Test
    void userAndSecurityRecordsDecodeAsBefore() {
        decodesAsTheOldLayout(USER, 1);
        decodesAsTheOldLayout(USER_AVC, 2); // a user and a security event
        decodesAsTheOldLayout(SECCOMP, 1);
    }

    @Test
    void aDamagedSharedStampDecodesToNothingAndNeverThrows() {
        byte[] good = journaled(SOCKET).get(0).records();
        for (int cut = 0; cut < good.length; cut++) {
            AuditRecordsEvent e = new AuditRecordsEvent(CAPTURED, AuditRecordsEvent.SHARED_STAMP, Arrays.copyOf(good, cut));
            AuditDecoder.decode(e);
            AuditDecoder.syscallName(e);
        }
        byte[] badLength = good.clone();
        badLength[1] = (byte) 0xff;
        assertThat(AuditDecoder.decode(new AuditRecordsEvent(CAPTURED, AuditRecordsEvent.SHARED_STAMP, badLength))).isEmpty();
    }

    static List<Integer> types(AuditRecordsEvent e) {
        List<Integer> out = new ArrayList<>();
        e.forEach((type, own, b, off, len) -> out.add(type));
        return out;
    }
}
