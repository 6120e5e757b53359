package io.hostql.publishers.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.events.AuditRecordsEvent;
import io.hostql.events.Event;
import io.hostql.events.EventSink;
import io.hostql.events.RecordOutput;
import io.hostql.events.Records;
import io.hostql.events.SecurityEvent;
import io.hostql.events.SocketEvent;
import io.hostql.events.UserEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The reader's side without a kernel: the byte-scan framing, the raw groups and their bound, and the
 * decoder on recorded record groups (kernel texts as auditd logs them), through the journal encoding.
 */
class RawFramingTest {
    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static final String CONNECT = "audit(1700000000.250:7001): arch=c000003e syscall=42 success=yes exit=0 a0=3 a1=7ffd a2=10 a3=0"
            + " items=0 ppid=900 pid=901 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000"
            + " tty=pts0 ses=2 comm=\"udpc\" exe=\"/tmp/udpc\" key=(null)";
    static final String SOCKADDR = "audit(1700000000.250:7001): saddr=020000097F0000010000000000000000";
    static final String PROCTITLE = "audit(1700000000.250:7001): proctitle=2E2F75647063";
    static final String EOE = "audit(1700000000.250:7001): ";

    @Test
    void theStampsSerialByAByteScan() {
        byte[] t = b(CONNECT);
        assertThat(RecordFraming.serial(t, t.length)).isEqualTo(7001);
        for (String bad : List.of("", "audit(1.0:): x", "audit(1.0:12 x", "type=SYSCALL msg=audit(1.0:5): x", "audit(1.0:5)")) {
            assertThat(RecordFraming.serial(b(bad), bad.length())).as(bad).isEqualTo(-1);
        }
    }

    @Test
    void numericFieldsByName() {
        byte[] t = b(CONNECT);
        assertThat(RecordFraming.number(t, t.length, RecordFraming.field("arch"), 16, 0)).isEqualTo(0xc000003eL);
        assertThat(RecordFraming.number(t, t.length, RecordFraming.field("syscall"), 10, -1)).isEqualTo(42);
        // pid= is not the end of ppid=
        assertThat(RecordFraming.number(t, t.length, RecordFraming.field("pid"), 10, -1)).isEqualTo(901);
        assertThat(RecordFraming.number(t, t.length, RecordFraming.field("missing"), 10, -1)).isEqualTo(-1);
        assertThat(RecordFraming.number(t, t.length, RecordFraming.field("comm"), 10, -1)).as("not a number").isEqualTo(-1);
        // a user message's pid, and a field inside msg='...'
        byte[] u = b("audit(1.5:9): pid=321 uid=0 msg='apparmor=\"DENIED\" operation=\"open\"'");
        assertThat(RecordFraming.number(u, u.length, RecordFraming.field("pid"), 10, -1)).isEqualTo(321);
        assertThat(RecordFraming.hasValue(u, u.length, RecordFraming.field("apparmor"))).isTrue();
        byte[] empty = b("audit(1.5:9): pid=1 apparmor=\"\" x=1");
        assertThat(RecordFraming.hasValue(empty, empty.length, RecordFraming.field("apparmor"))).isFalse();
    }

    @Test
    void aRecordedGroupDecodesAsTheParsedRecordsDid() {
        List<AuditRecordsEvent> out = new ArrayList<>();
        RawGroups g = new RawGroups((recs, flags, syscall, cut) -> out.add(new AuditRecordsEvent(42, flags, recs)),
                3_000_000_000L, 10);
        for (Object[] r : new Object[][] {{1300, CONNECT}, {1306, SOCKADDR}, {1327, PROCTITLE}, {1320, EOE}}) {
            byte[] t = b((String) r[1]);
            g.add((Integer) r[0], 7001, t, t.length, true, "connect", 0);
        }
        assertThat(out).hasSize(1);
        // through the journal's encoding, as a subscriber reads it
        RecordOutput o = new RecordOutput();
        out.get(0).encode(o);
        AuditRecordsEvent read = (AuditRecordsEvent) Records.decode(out.get(0).type(), 42, Arrays.copyOf(o.array(), o.length()));
        assertThat(read.complete()).isTrue();
        SocketEvent fromRaw = (SocketEvent) AuditDecoder.syscall(read);
        SocketEvent fromParsed = (SocketEvent) EventBuilder.syscall(List.of(AuditRecord.parse(1300, b(CONNECT)), AuditRecord.parse(1306, b(SOCKADDR)),
                AuditRecord.parse(1327, b(PROCTITLE))), true, 0);
        assertThat(fromRaw.captureNanos()).as("the reader's capture time, not the decoder's").isEqualTo(42);
        assertThat(fromRaw.serial()).isEqualTo(7001);
        assertThat(fromRaw.pid()).isEqualTo(901);
        assertThat(fromRaw.sockaddr()).isEqualTo(fromParsed.sockaddr()).startsWith(2, 0, 0, 9, 127, 0, 0, 1);
        assertThat(fromRaw).usingRecursiveComparison().ignoringFields("captureNanos").isEqualTo(fromParsed);
        assertThat(AuditDecoder.isSocketCall(AuditDecoder.syscallName(read))).isTrue();
        byte[] exec = b(CONNECT.replace("syscall=42", "syscall=59"));
        byte[] packed = new byte[4 + exec.length];
        packed[0] = (byte) 1300;
        packed[1] = (byte) (1300 >> 8);
        packed[2] = (byte) exec.length;
        packed[3] = (byte) (exec.length >> 8);
        System.arraycopy(exec, 0, packed, 4, exec.length);
        assertThat(AuditDecoder.isSocketCall(AuditDecoder.syscallName(new AuditRecordsEvent(1, 0, packed)))).isFalse();
        assertThat(AuditDecoder.user(read)).isNull();
        assertThat(AuditDecoder.security(read)).isNull();
    }

    /** Finished groups are reused: a reused one carries nothing of its last event (stamp, syscall, records, being ignored). */
    @Test
    void aReusedGroupStartsAsANewOne() {
        List<byte[]> reused = new ArrayList<>();
        RawGroups g = new RawGroups((recs, flags, syscall, cut) -> reused.add(recs), 3_000_000_000L, 10);
        connect(g, 7001, true, true);
        connect(g, 7002, false, true); // a syscall hostql does not report: ignored
        connect(g, 7003, true, false);
        connect(g, 7004, true, true);
        assertThat(reused).hasSize(3);
        int k = 0;
        for (int serial : new int[] {7001, 7003, 7004}) {
            List<byte[]> fresh = new ArrayList<>();
            connect(new RawGroups((recs, flags, syscall, cut) -> fresh.add(recs), 3_000_000_000L, 10), serial, true, serial != 7003);
            assertThat(reused.get(k++)).as("serial " + serial).isEqualTo(fresh.get(0));
        }
    }

    /** A connect's records, with a stamp of this serial (and a time of its own), with or without its SOCKADDR. */
    private static void connect(RawGroups g, int serial, boolean wanted, boolean sockaddr) {
        for (String r : List.of(CONNECT, SOCKADDR, PROCTITLE, EOE)) {
            if (r == SOCKADDR && !sockaddr) continue;
            byte[] t = b(r.replace("1700000000.250:7001", "1700000000.2" + serial % 100 + ":" + serial));
            int type = r == CONNECT ? 1300 : r == SOCKADDR ? 1306 : r == PROCTITLE ? 1327 : 1320;
            g.add(type, serial, t, t.length, wanted, wanted ? "connect" : null, 0);
        }
    }

    @Test
    void aUserAvcIsJournaledOnceAndDecodesToBothTables() {
        List<Event> got = new ArrayList<>();
        List<Event> raw = new ArrayList<>();
        EventSink decoded = AuditDecoder.decoding(e -> {
            got.add(e);
            return got.size();
        });
        AuditPublisher p = new AuditPublisher(new AuditPublisher.Config(AuditPublisher.Mode.OWNER, true, false, false, false, true, 8192, 0,
                Path.of("/nonexistent/hostql-raw-framing"), new SecurityRecords(false, true, false)), e -> {
                    raw.add(e);
                    return decoded.append(e);
                });
        p.record(1107, b("audit(1700000000.900:55): pid=77 uid=0 auid=0 ses=1 msg='avc:  denied  { status } for auid=0 uid=0 gid=0"
                + " cmdline=\"systemctl status\" scontext=u:r:t:s0 tcontext=u:r:init_t:s0 tclass=system exe=\"/usr/bin/systemctl\"'\n\0"));
        assertThat(raw).hasSize(1).allMatch(e -> e instanceof AuditRecordsEvent);
        assertThat(got).hasSize(2);
        assertThat(got).anyMatch(e -> e instanceof UserEvent u && u.pid() == 77);
        assertThat(got).anyMatch(e -> e instanceof SecurityEvent s && s.kind() == SecurityEvent.Kind.SELINUX);
    }

    /** A flood whose end records never come: the open groups stay bounded, and every group comes out, counted. */
    @Test
    void openGroupsAreBoundedAndEveryGroupIsAccounted() {
        int[] complete = {0}, incomplete = {0};
        RawGroups g = new RawGroups((recs, flags, syscall, cut) -> {
            if ((flags & AuditRecordsEvent.COMPLETE) != 0) complete[0]++;
            else incomplete[0]++;
        }, Long.MAX_VALUE, 1000);
        int evicted = 0, maxOpen = 0;
        byte[] t = b(CONNECT);
        for (int serial = 1; serial <= 20_000; serial++) {
            g.add(1300, serial, t, t.length, true, "connect", serial);
            if (serial % 2 == 0) g.add(1320, serial, new byte[0], 0, true, null, serial); // every other one ends
            maxOpen = Math.max(maxOpen, g.openCount());
            if (serial % 5_000 == 0) evicted += g.takeEvicted();
        }
        evicted += g.takeEvicted();
        int flushed = g.flush();
        assertThat(maxOpen).isEqualTo(1000);
        assertThat(complete[0]).isEqualTo(10_000);
        assertThat(incomplete[0]).isEqualTo(10_000).isEqualTo(evicted + flushed);
        assertThat(g.openCount()).isZero();
    }

    /** Records past the group's bound are cut, counted, and the group flagged; it still fits one journal record. */
    @Test
    void aGroupPastItsByteBoundDropsTheRestAndCountsIt() {
        List<byte[]> out = new ArrayList<>();
        int[] flagsOut = {0};
        long[] cutOut = {0};
        RawGroups g = new RawGroups((recs, flags, syscall, cut) -> {
            out.add(recs);
            flagsOut[0] = flags;
            cutOut[0] = cut;
        }, Long.MAX_VALUE, 10);
        byte[] t = b(CONNECT);
        g.add(1300, 7001, t, t.length, true, "execve", 0);
        byte[] big = new byte[8000];
        Arrays.fill(big, (byte) 'a');
        int n = RawGroups.MAX_GROUP_BYTES / 8000 + 10;
        for (int i = 0; i < n; i++) g.add(1309, 7001, big, big.length, true, null, 0); // kept or not, each is cut past the bound
        g.add(1320, 7001, new byte[0], 0, true, null, 0);
        assertThat(out).hasSize(1);
        assertThat(out.get(0).length).isLessThanOrEqualTo(RawGroups.MAX_GROUP_BYTES);
        assertThat(flagsOut[0] & AuditRecordsEvent.TRUNCATED).isNotZero();
        assertThat(cutOut[0]).isPositive();
    }
}
