package io.hostql.publishers.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.events.Records;
import io.hostql.events.RecordOutput;
import io.hostql.events.SecurityEvent;
import io.hostql.events.SecurityEvent.Kind;
import io.hostql.events.UserEvent;
import io.hostql.publishers.RecordedEvents;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * Seccomp, SELinux and AppArmor records through the publisher's entry point for a received record (no
 * kernel): which table each goes to under osquery's three flags, and the fields it carries. The record
 * texts are as kernels print them (AppArmor and SELinux are not in this machine's kernel: the AVC texts
 * are the examples of Ubuntu's AppArmor and Red Hat's SELinux documentation).
 */
class SecurityRecordsTest {
    static final String SECCOMP = "audit(1765000000.123:456): auid=4294967295 uid=0 gid=0 ses=4294967295 subj=unconfined pid=1234"
            + " comm=\"python3\" exe=\"/usr/bin/python3.11\" sig=0 arch=c000003e syscall=39 compat=0 ip=0x7f1d2c0e5a3b code=0x7ffc0000";
    static final String APPARMOR_AVC = "audit(1378822938.465:255): apparmor=\"DENIED\" operation=\"open\" parent=1 profile=\"/usr/sbin/cupsd\""
            + " name=\"/etc/cups/cupsd.conf\" pid=4432 comm=\"cupsd\" requested_mask=\"r\" denied_mask=\"r\" fsuid=0 ouid=0";
    static final String SELINUX_AVC = "audit(1226874073.147:96): avc:  denied  { getattr } for  pid=2465 comm=\"httpd\""
            + " path=\"/var/www/html/file1\" dev=dm-0 ino=284133 scontext=unconfined_u:system_r:httpd_t:s0"
            + " tcontext=unconfined_u:object_r:samba_share_t:s0 tclass=file";
    /** dbus-daemon's AppArmor mediation, a user-space USER_AVC. */
    static final String APPARMOR_USER_AVC = "audit(1765000001.000:457): pid=812 uid=103 auid=4294967295 ses=4294967295"
            + " msg='apparmor=\"DENIED\" operation=\"dbus_method_call\" bus=\"system\" path=\"/org/freedesktop/hostname1\""
            + " interface=\"org.freedesktop.DBus.Properties\" member=\"GetAll\" name=\":1.42\" mask=\"send\" pid=4242"
            + " label=\"snap.app.app\" peer_pid=4243 peer_label=\"unconfined\" exe=\"/usr/bin/dbus-daemon\" sauid=103 hostname=? addr=? terminal=?'";
    /** A hex-encoded comm (the kernel encodes untrusted strings with a space this way). */
    static final String SECCOMP_HEX_COMM = "audit(1765000002.000:458): auid=0 uid=0 gid=0 ses=3 pid=99 comm=6D7920636D64"
            + " exe=\"/tmp/x\" sig=31 arch=c000003e syscall=999 compat=0 ip=0x1 code=0x0";

    static RecordedEvents feed(SecurityRecords keep, boolean userEvents, Object... typeAndText) {
        RecordedEvents sink = new RecordedEvents();
        AuditPublisher p = new AuditPublisher(new AuditPublisher.Config(AuditPublisher.Mode.OWNER, true, false, false, false, userEvents, 8192, 0,
                Path.of("/nonexistent/hostql-security-records"), keep), AuditDecoder.decoding(sink));
        for (int i = 0; i < typeAndText.length; i += 2) p.record((Integer) typeAndText[i], ((String) typeAndText[i + 1]).getBytes(StandardCharsets.UTF_8));
        return sink;
    }

    static final Object[] ALL = {1326, SECCOMP, 1400, APPARMOR_AVC, 1400, SELINUX_AVC, 1107, APPARMOR_USER_AVC, 1326, SECCOMP_HEX_COMM};

    @Test
    void eachRecordGoesToItsTableWithItsFields() {
        RecordedEvents sink = feed(new SecurityRecords(true, true, true), false, ALL);
        var events = sink.of(SecurityEvent.class, e -> true);
        assertThat(events).extracting(SecurityEvent::kind).containsExactly(Kind.SECCOMP, Kind.APPARMOR, Kind.SELINUX, Kind.APPARMOR, Kind.SECCOMP);

        SecurityEvent seccomp = events.get(0);
        assertThat(seccomp.kernelMillis()).isEqualTo(1765000000123L);
        assertThat(seccomp.serial()).isEqualTo(456);
        assertThat(seccomp.recordType()).isEqualTo(1326);
        assertThat(new String(seccomp.text(), StandardCharsets.UTF_8)).isEqualTo(SECCOMP);
        assertThat(seccomp.field("comm")).isEqualTo("python3");
        assertThat(seccomp.field("ses")).isEqualTo("4294967295");
        assertThat(seccomp.field("code")).isEqualTo("0x7ffc0000");
        assertThat(seccomp.field("arch")).isEqualTo("c000003e");

        SecurityEvent aa = events.get(1);
        assertThat(aa.field("apparmor")).isEqualTo("DENIED");
        assertThat(aa.field("profile")).isEqualTo("/usr/sbin/cupsd");
        assertThat(aa.field("name")).isEqualTo("/etc/cups/cupsd.conf");
        assertThat(aa.field("requested_mask")).isEqualTo("r");

        assertThat(events.get(2).field("tclass")).isEqualTo("file");
        assertThat(events.get(3).field("operation")).isEqualTo("dbus_method_call");
        assertThat(events.get(3).field("label")).isEqualTo("snap.app.app");
        assertThat(events.get(4).field("comm")).as("hex-encoded comm decoded").isEqualTo("my cmd");
        assertThat(events.get(4).field("ses")).as("a number is never hex-decoded").isEqualTo("3");
    }

    @Test
    void onlyTheEnabledTablesRecordsAreKept() {
        assertThat(feed(SecurityRecords.NONE, false, ALL).all()).isEmpty();
        assertThat(feed(new SecurityRecords(true, false, false), false, ALL).of(SecurityEvent.class, e -> true))
                .extracting(SecurityEvent::serial).containsExactly(456L, 458L);
        assertThat(feed(new SecurityRecords(false, true, false), false, ALL).of(SecurityEvent.class, e -> true))
                .extracting(SecurityEvent::serial).containsExactly(96L);
        assertThat(feed(new SecurityRecords(false, false, true), false, ALL).of(SecurityEvent.class, e -> true))
                .extracting(SecurityEvent::serial).containsExactly(255L, 457L);
    }

    @Test
    void aUserAvcIsAUserEventToo() {
        RecordedEvents sink = feed(new SecurityRecords(false, false, true), true, 1107, APPARMOR_USER_AVC);
        assertThat(sink.of(SecurityEvent.class, e -> true)).hasSize(1);
        assertThat(sink.of(UserEvent.class, e -> e.recordType() == 1107)).hasSize(1);
    }

    @Test
    void theJournalEncodingRoundTrips() {
        SecurityEvent e = feed(new SecurityRecords(true, true, true), false, 1107, APPARMOR_USER_AVC).of(SecurityEvent.class, x -> true).get(0);
        RecordOutput out = new RecordOutput();
        e.encode(out);
        SecurityEvent back = (SecurityEvent) Records.decode(e.type(), e.captureNanos(), out.toByteArray());
        assertThat(back.names()).containsExactly(e.names());
        assertThat(back.values()).containsExactly(e.values());
        assertThat(back.text()).isEqualTo(e.text());
        assertThat(back).usingRecursiveComparison().ignoringFields("names", "values", "text").isEqualTo(e);
    }

    /** Any bytes after a valid stamp, in any security record type: nothing throws, and what is kept survives the journal. */
    @Property(tries = 300)
    void anyRecordTextNeverThrows(@ForAll("types") int type, @ForAll("bodies") String body) {
        RecordedEvents sink = feed(new SecurityRecords(true, true, true), true, type, "audit(1765000000.001:9): " + body);
        for (SecurityEvent e : sink.of(SecurityEvent.class, x -> true)) {
            RecordOutput out = new RecordOutput();
            e.encode(out);
            assertThat(((SecurityEvent) Records.decode(e.type(), e.captureNanos(), out.toByteArray())).values()).containsExactly(e.values());
        }
    }

    @Provide
    Arbitrary<Integer> types() {
        return Arbitraries.of(1107, 1326, 1400, 1401, 1417, 1501, 1503, 1507);
    }

    @Provide
    Arbitrary<String> bodies() {
        Arbitrary<String> field = Arbitraries.of("apparmor=", "apparmor=\"DENIED\"", "comm=", "comm=41", "comm=4", "msg='", "msg='apparmor=\"x\" pid=1'",
                "pid=-", "arch=zz", "code=0x", "name=\"", "'", "\"", " ", "=", "ses=99999999999999999999999");
        return Arbitraries.oneOf(field, Arbitraries.strings().ofMaxLength(12)).list().ofMaxSize(12).map(l -> String.join(" ", l));
    }
}
