package io.hostql.publishers.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.events.Event;
import io.hostql.events.ProcessEvent;
import io.hostql.events.SocketEvent;
import io.hostql.events.UserEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzing of audit record parsing and assembly, pure parsing (no netlink, no kernel rules): the records
 * go into the publisher's own entry point for a received record, which parses them, tracks serials,
 * assembles SYSCALL/EXECVE/CWD/PATH/SOCKADDR/PROCTITLE/EOE by serial and builds the events. Exec, socket
 * and user events in the kernel's encoding (quoted or hex, long arguments in pieces) interleave with each
 * other and with garbage: random bytes, records with truncated, oversized or malformed fields, events whose
 * EOE never comes. Nothing may throw (on the publisher's thread that ends audit capture), and every valid
 * event comes out once, intact.
 */
class AuditRecordFuzzTest {
    private static final Path UNUSED = Path.of("/nonexistent/hostql-audit-fuzz");
    private static final long SELF = ProcessHandle.current().pid();

    /** A datagram's worth: record type and text. */
    record Datagram(int type, byte[] text) {
        static Datagram of(int type, String text) {
            return new Datagram(type, text.getBytes(StandardCharsets.ISO_8859_1));
        }

        @Override
        public String toString() {
            return type + " " + new String(text, StandardCharsets.ISO_8859_1);
        }
    }

    /** A valid event: its records in the order the kernel sends them, and what it must become. */
    record Valid(List<Datagram> records, Event expected) {}

    record Stream(List<Valid> valid, List<Datagram> datagrams) {}

    @Property
    void validEventsComeOutIntactWhateverIsInterleaved(@ForAll("streams") Stream s) {
        Collected sink = new Collected();
        AuditPublisher p = new AuditPublisher(
                new AuditPublisher.Config(AuditPublisher.Mode.OWNER, true, true, true, true, true, 8192, 0, UNUSED), AuditDecoder.decoding(sink));
        for (Datagram d : s.datagrams) p.record(d.type, d.text.clone());
        Map<Long, List<Event>> bySerial = new HashMap<>();
        for (Event e : sink.events) bySerial.computeIfAbsent(serial(e), k -> new ArrayList<>()).add(e);
        for (Valid v : s.valid) {
            List<Event> got = bySerial.get(serial(v.expected));
            assertThat(got).as("event %d came out", serial(v.expected)).isNotNull().hasSize(1);
            assertSame(got.get(0), v.expected);
        }
    }

    /**
     * The assembler and event builder on any records, including the groups handed over without their EOE (a full
     * table of open events, and at shutdown).
     */
    @Property
    void assemblingAnyRecordsNeverThrows(@ForAll("streams") Stream s) {
        List<Event> out = new ArrayList<>();
        RawGroups a = new RawGroups((b, flags, syscall, cut) -> {
            Event e = AuditDecoder.syscall(new io.hostql.events.AuditRecordsEvent(1, flags, b));
            if (e != null) out.add(e);
        }, 1_000_000, 4);
        long now = 0;
        for (Datagram d : s.datagrams) {
            AuditRecord r = AuditRecord.parse(d.type, d.text);
            if (r == null) continue;
            if (d.type >= EventBuilder.FIRST_USER && d.type <= EventBuilder.LAST_USER) {
                assertThat(EventBuilder.user(r, 0)).isNotNull();
                continue;
            }
            for (int i = 0; i < r.fieldCount(); i++) {
                r.raw(i);
                r.bytes(i);
            }
            a.add(d.type, RecordFraming.serial(d.text, d.text.length), d.text, d.text.length, true, null, now += 100_000);
            if (now % 7 == 0) a.expire(now);
        }
        a.flush();
        assertThat(a.openCount()).isZero();
    }

    // ---- regressions ---------------------------------------------------------------------------

    /** A damaged field from the garbage generator: "argc=" with a value that is not a number threw NumberFormatException. */
    @Example
    void anArgcThatIsNotANumberIsIgnored() {
        ProcessEvent e = exec("argc=x a0=\"ls\"");
        assertThat(e.argv().length).isEqualTo(1);
        assertThat(e.argc()).isEqualTo(-1);
    }

    /**
     * Found on the first run of these properties (the test JVM died of OutOfMemoryError): an argument index near 2^31
     * grew argv to 2^31 entries.
     */
    @Example
    void anArgumentIndexFarBeyondArgcIsIgnored() {
        ProcessEvent e = exec("argc=1 a0=\"ls\" a2147483647=\"x\" a2000000000[0]=41");
        assertThat(e.argv().length).isEqualTo(1);
        assertThat(new String(e.argv()[0], StandardCharsets.UTF_8)).isEqualTo("ls");
    }

    private static ProcessEvent exec(String execve) {
        List<AuditRecord> rs = List.of(
                AuditRecord.parse(1300, bytes("audit(1.0:9): arch=c000003e syscall=59 success=yes exit=0 pid=5 comm=\"ls\" exe=\"/bin/ls\"")),
                AuditRecord.parse(1309, bytes("audit(1.0:9): " + execve)));
        return (ProcessEvent) EventBuilder.syscall(rs, true, 0);
    }

    // ---- checks --------------------------------------------------------------------------------

    static final class Collected implements io.hostql.events.EventSink {
        final List<Event> events = new ArrayList<>();

        @Override
        public long append(Event e) {
            events.add(e);
            return events.size();
        }
    }

    private static long serial(Event e) {
        if (e instanceof ProcessEvent p) return p.serial();
        if (e instanceof SocketEvent s) return s.serial();
        if (e instanceof UserEvent u) return u.serial();
        return -1;
    }

    /** Every field but the capture time, arrays by content. */
    private static void assertSame(Event actual, Event expected) {
        assertThat(actual.getClass()).isEqualTo(expected.getClass());
        for (var c : expected.getClass().getRecordComponents()) {
            if (c.getName().equals("captureNanos")) continue;
            try {
                Object a = c.getAccessor().invoke(actual), e = c.getAccessor().invoke(expected);
                assertThat(java.util.Objects.deepEquals(a, e)).as("%s of serial %d: %s instead of %s", c.getName(), serial(expected),
                        Arrays.deepToString(new Object[] {a}), Arrays.deepToString(new Object[] {e})).isTrue();
            } catch (ReflectiveOperationException ex) {
                throw new IllegalStateException(ex);
            }
        }
    }

    // ---- generators ----------------------------------------------------------------------------

    @Provide
    Arbitrary<Stream> streams() {
        Arbitrary<List<Valid>> valid = Arbitraries.oneOf(exec(), socket(), user()).list().ofMaxSize(6);
        Arbitrary<List<Datagram>> garbage = garbage().list().ofMaxSize(12);
        return Combinators.combine(valid, garbage, Arbitraries.randoms()).as(AuditRecordFuzzTest::interleave);
    }

    /** Each event's records stay in order; events and garbage interleave. Valid serials are made unique. */
    private static Stream interleave(List<Valid> valid, List<Datagram> garbage, Random r) {
        List<Valid> unique = new ArrayList<>();
        for (int i = 0; i < valid.size(); i++) unique.add(withSerial(valid.get(i), 1000 + i));
        List<List<Datagram>> queues = new ArrayList<>();
        for (Valid v : unique) queues.add(new ArrayList<>(v.records));
        for (Datagram g : garbage) queues.add(new ArrayList<>(List.of(g)));
        List<Datagram> out = new ArrayList<>();
        while (!queues.isEmpty()) {
            int q = r.nextInt(queues.size());
            out.add(queues.get(q).remove(0));
            if (queues.get(q).isEmpty()) queues.remove(q);
        }
        return new Stream(unique, out);
    }

    /** The generators use serial 1; each valid event of a stream gets its own. */
    private static Valid withSerial(Valid v, long serial) {
        List<Datagram> rs = new ArrayList<>();
        for (Datagram d : v.records) {
            String t = new String(d.text, StandardCharsets.ISO_8859_1).replaceFirst("^(audit\\([0-9.]+):1\\)", "$1:" + serial + ")");
            rs.add(Datagram.of(d.type, t));
        }
        Event e = v.expected;
        Event x;
        if (e instanceof ProcessEvent p) {
            x = new ProcessEvent(0, p.kernelMillis(), serial, p.syscall(), p.success(), p.exit(), p.pid(), p.ppid(), p.auid(), p.uid(),
                    p.euid(), p.suid(), p.fsuid(), p.gid(), p.egid(), p.sgid(), p.fsgid(), p.ses(), p.exe(), p.comm(), p.cwd(), p.argv(),
                    p.argc(), p.mode(), p.ouid(), p.ogid(), p.flags());
        } else if (e instanceof SocketEvent s) {
            x = new SocketEvent(0, s.kernelMillis(), serial, s.syscall(), s.success(), s.exit(), s.pid(), s.ppid(), s.auid(), s.uid(),
                    s.euid(), s.gid(), s.egid(), s.exe(), s.comm(), s.a0(), s.sockaddr(), s.flags());
        } else {
            UserEvent u = (UserEvent) e;
            x = new UserEvent(0, u.kernelMillis(), serial, u.recordType(), u.pid(), u.uid(), u.auid(), u.ses(), u.message(), u.exe(),
                    u.address(), u.terminal());
        }
        return new Valid(rs, x);
    }

    private static Arbitrary<Integer> pids() {
        return Arbitraries.integers().between(1, 4_194_304).filter(p -> p != SELF);
    }

    /** Any bytes, for argv, cwd, exe and comm (the kernel hex-encodes what is not plain printable ASCII). */
    private static Arbitrary<byte[]> anyBytes(int max) {
        return Arbitraries.oneOf(Arbitraries.bytes().array(byte[].class).ofMaxSize(max),
                Arbitraries.strings().alpha().numeric().withChars("/.-_").ofMaxLength(max).map(AuditRecordFuzzTest::bytes));
    }

    private static Arbitrary<Valid> exec() {
        Arbitrary<List<byte[]>> argv = anyBytes(40).list().ofMinSize(1).ofMaxSize(6);
        return Combinators.combine(pids(), pids(), anyBytes(30), anyBytes(16), anyBytes(40), argv, Arbitraries.integers().between(0, 3),
                Arbitraries.randoms()).as((pid, ppid, exe, comm, cwd, args, pathRecords, r) -> {
                    String stamp = "audit(1700000000.250:1): ";
                    List<Datagram> rs = new ArrayList<>();
                    rs.add(Datagram.of(EventBuilder.SYSCALL, stamp + "arch=c000003e syscall=59 success=yes exit=0 a0=55d1 a1=55d2 a2=0 a3=0"
                            + " items=" + pathRecords + " ppid=" + ppid + " pid=" + pid + " auid=1000 uid=1 gid=2 euid=3 suid=4 fsuid=5"
                            + " egid=6 sgid=7 fsgid=8 tty=pts0 ses=9 comm=" + encode(comm) + " exe=" + encode(exe) + " key=\"hostql\""));
                    // EXECVE: arguments over one or more records; some as aN_len with pieces, as the kernel sends long ones
                    StringBuilder sb = new StringBuilder(stamp + "argc=" + args.size());
                    for (int i = 0; i < args.size(); i++) {
                        byte[] a = args.get(i);
                        if (a.length >= 4 && r.nextInt(3) == 0) {
                            int cut = 1 + r.nextInt(a.length - 1);
                            sb.append(" a").append(i).append("_len=").append(a.length * 2);
                            sb.append(" a").append(i).append("[0]=").append(hex(Arrays.copyOf(a, cut)));
                            rs.add(Datagram.of(EventBuilder.EXECVE, sb.toString()));
                            sb = new StringBuilder(stamp + "a" + i + "[1]=" + hex(Arrays.copyOfRange(a, cut, a.length)));
                        } else {
                            sb.append(" a").append(i).append('=').append(encode(a));
                        }
                        if (r.nextInt(4) == 0) {
                            rs.add(Datagram.of(EventBuilder.EXECVE, sb.toString()));
                            sb = new StringBuilder(stamp.trim());
                        }
                    }
                    rs.add(Datagram.of(EventBuilder.EXECVE, sb.toString()));
                    rs.add(Datagram.of(EventBuilder.CWD, stamp + "cwd=" + encode(cwd)));
                    for (int i = 0; i < pathRecords; i++) {
                        rs.add(Datagram.of(EventBuilder.PATH, stamp + "item=" + i + " name=" + encode(exe) + " inode=5 dev=08:01 mode=010075"
                                + i + " ouid=" + (10 + i) + " ogid=" + (20 + i) + " rdev=00:00 nametype=NORMAL"));
                    }
                    rs.add(Datagram.of(EventBuilder.PROCTITLE, stamp + "proctitle=" + hex(bytes("x\0y"))));
                    rs.add(Datagram.of(EventBuilder.EOE, stamp));
                    byte[][] expectedArgv = args.toArray(new byte[0][]);
                    ProcessEvent e = new ProcessEvent(0, 1700000000250L, 1, "execve", true, 0, pid, ppid, 1000, 1, 3, 4, 5, 2, 6, 7, 8, 9, exe,
                            comm, cwd, expectedArgv, args.size(), pathRecords == 0 ? -1 : 0100750, pathRecords == 0 ? -1 : 10,
                            pathRecords == 0 ? -1 : 20, 0);
                    return new Valid(rs, e);
                });
    }

    private static Arbitrary<Valid> socket() {
        return Combinators.combine(pids(), Arbitraries.of(42, 49, 43, 288), Arbitraries.longs().between(0, 0xffffL),
                Arbitraries.bytes().array(byte[].class).ofMinSize(2).ofMaxSize(28), anyBytes(20)).as((pid, nr, fd, saddr, exe) -> {
                    String stamp = "audit(1700000001.5:1): ";
                    String name = Map.of(42, "connect", 49, "bind", 43, "accept", 288, "accept4").get(nr);
                    List<Datagram> rs = List.of(
                            Datagram.of(EventBuilder.SYSCALL, stamp + "arch=c000003e syscall=" + nr + " success=no exit=-111 a0="
                                    + Long.toHexString(fd) + " a1=7ffd a2=10 a3=0 items=0 ppid=1 pid=" + pid + " auid=4294967295 uid=0 gid=0"
                                    + " euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm=\"curl\" exe=" + encode(exe)),
                            Datagram.of(EventBuilder.SOCKADDR, stamp + "saddr=" + hex(saddr)),
                            Datagram.of(EventBuilder.PROCTITLE, stamp + "proctitle=6375726C"),
                            Datagram.of(EventBuilder.EOE, stamp));
                    SocketEvent e = new SocketEvent(0, 1700000001500L, 1, name, false, -111, pid, 1, 4294967295L, 0, 0, 0, 0, exe,
                            bytes("curl"), fd, saddr, 0);
                    return new Valid(rs, e);
                });
    }

    private static Arbitrary<Valid> user() {
        return Combinators.combine(Arbitraries.integers().between(1100, 1199), pids(),
                Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(12)).as((type, pid, acct) -> {
                    String msg = "op=login acct=\"" + acct + "\" exe=\"/usr/sbin/sshd\" hostname=? addr=10.0.0.1 terminal=ssh res=success";
                    Datagram d = Datagram.of(type, "audit(1700000002.000:1): pid=" + pid + " uid=0 auid=1000 ses=7 subj=unconfined msg='"
                            + msg + "'");
                    UserEvent e = new UserEvent(0, 1700000002000L, 1, type, pid, 0, 1000, 7, bytes(msg), bytes("/usr/sbin/sshd"), "10.0.0.1",
                            "ssh");
                    return new Valid(List.of(d), e);
                });
    }

    /** Records that must not disturb other events: serials of their own (from 10^9), fields damaged or extreme. */
    private static Arbitrary<Datagram> garbage() {
        Arbitrary<Integer> types = Arbitraries.oneOf(Arbitraries.of(1300, 1302, 1306, 1307, 1309, 1320, 1327, 1112, 1105),
                Arbitraries.integers().between(1000, 2200));
        Arbitrary<String> fields = Arbitraries.of("argc=x", "argc=", "argc=99999999999999999999", "argc=-3", "a2147483647=\"x\"",
                "a2000000000[0]=41", "a1[2147483647]=41", "a0[-1]=41", "a1_len=-5", "a99999999999=1", "a=1", "a0=", "a0=\"", "a0=ABC",
                "a0=(null)", "aX[0]=41", "a1[=41", "arch=ffffffffffffffffffffffff", "arch=c000003e", "syscall=59", "syscall=42",
                "syscall=-1", "syscall=9999999999999", "pid=99999999999999999999999", "pid=-", "exit=", "success=yes", "saddr=ZZ",
                "saddr=0", "saddr=" + "00".repeat(4000), "mode=999", "mode=", "mode=0x10", "item=abc", "ouid=-", "cwd=", "cwd=\"",
                "proctitle=ABC", "proctitle=(null)", "msg='unterminated", "msg='a=b c='d'", "='", "=", "==", "a0='x'", " ", "\"",
                "name=" + "41".repeat(5000));
        Arbitrary<String> text = Combinators.combine(Arbitraries.longs().between(1_000_000_000L, Long.MAX_VALUE / 10), fields.list().ofMaxSize(8))
                .as((serial, fs) -> "audit(1700000000.1:" + serial + "): " + String.join(" ", fs));
        Arbitrary<Datagram> damagedStamp = Arbitraries.of("audit(", "audit(1.2:3)", "audit(1.2:3):", "audit(99999999999999999999.1:5): ",
                "audit(1.2345678:5): x=1", "audit(.:): a", "audxx(1.2:3): a=1", "audit(1.2:3)x: a=1", "").map(t -> Datagram.of(1300, t));
        return Arbitraries.oneOf(Combinators.combine(types, text).as(Datagram::of), damagedStamp,
                Combinators.combine(types, Arbitraries.bytes().array(byte[].class).ofMaxSize(60)).as(Datagram::new),
                Combinators.combine(types, Arbitraries.bytes().array(byte[].class).ofMaxSize(40))
                        .as((t, b) -> new Datagram(t, concat(bytes("audit(1.0:" + (2_000_000_000L + (b.length * 31L)) + "): "), b))));
    }

    // ---- the kernel's encoding ----------------------------------------------------------------

    /** audit_log_untrustedstring: quoted when plain printable ASCII without '"', hex otherwise. */
    static String encode(byte[] b) {
        for (byte c : b) if (c < 0x21 || c > 0x7e || c == '"') return hex(b);
        return "\"" + new String(b, StandardCharsets.ISO_8859_1) + "\"";
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte c : b) sb.append(String.format("%02X", c & 0xff));
        return sb.toString();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
