package io.hostql.publishers.audit;

import static io.hostql.publishers.audit.RecordAssemblyTest.hex;
import static io.hostql.publishers.audit.RecordAssemblyTest.rec;
import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.events.EventType;
import io.hostql.events.FileSyscallEvent;
import io.hostql.events.ProcessEvent;
import io.hostql.events.RecordOutput;
import io.hostql.events.Records;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * File, fork and kill syscalls from record texts in the kernel's format (as auditd logs them after "msg="):
 * what each becomes in the journal, and the rules the flags install. No kernel.
 */
class FileSyscallRecordsTest {
    static final String IDS = " ppid=100 pid=4242 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3"
            + " comm=\"python3\" exe=\"/usr/bin/python3.11\" key=\"hostql\"";

    static AuditRecord syscall(long serial, int nr, String result, String args) {
        return rec(1300, "audit(1700000000.250:" + serial + "): arch=c000003e syscall=" + nr + " " + result + " " + args + IDS);
    }

    static AuditRecord path(long serial, int item, String name, long inode, String nametype) {
        return rec(1302, "audit(1700000000.250:" + serial + "): item=" + item + " name=" + name + " inode=" + inode
                + " dev=fd:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=" + nametype + " cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0");
    }

    static AuditRecord cwd(long serial, String dir) {
        return rec(1307, "audit(1700000000.250:" + serial + "): cwd=\"" + dir + "\"");
    }

    static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void anOpenatThatCreatesAFileKeepsItsArgumentsCwdAndBothPathItems() {
        List<AuditRecord> rs = List.of(
                syscall(7, 257, "success=yes exit=3", "a0=ffffff9c a1=7ffd1000 a2=80241 a3=1b6 items=2"),
                cwd(7, "/root"),
                path(7, 0, "\"/srv/watched/\"", 1001, "PARENT"),
                path(7, 1, hex("/srv/watched/a b.txt"), 2002, "CREATE"),
                rec(1327, "audit(1700000000.250:7): proctitle=707974686F6E33"));
        FileSyscallEvent e = (FileSyscallEvent) EventBuilder.syscall(rs, true, 0);
        assertThat(e.syscall()).isEqualTo("openat");
        assertThat(e.success()).isTrue();
        assertThat(e.exit()).isEqualTo(3);
        assertThat(e.args()).as("an int argument: its 32 bits").containsExactly(0xffffff9cL, 0x7ffd1000L, 0x80241L, 0x1b6L);
        assertThat(e.pid()).isEqualTo(4242);
        assertThat(e.ppid()).isEqualTo(100);
        assertThat(e.auid()).isEqualTo(1000);
        assertThat(text(e.exe())).isEqualTo("/usr/bin/python3.11");
        assertThat(text(e.cwd())).isEqualTo("/root");
        assertThat(e.items()).containsExactly(0, 1);
        assertThat(text(e.names()[e.item(1)])).isEqualTo("/srv/watched/a b.txt");
        assertThat(e.inodes()).containsExactly(1001L, 2002L);
        assertThat(e.mmapFd()).isEqualTo(-1);
        assertThat(e.flags()).isZero();
        assertThat(e.kernelMillis()).isEqualTo(1700000000250L);
        assertThat(e.serial()).isEqualTo(7);
    }

    @Test
    void aFailedFileSyscallIsNotPublished() {
        assertThat(EventBuilder.syscall(List.of(syscall(8, 257, "success=no exit=-2", "a0=ffffff9c a1=1 a2=0 a3=0 items=1"),
                path(8, 0, "\"/nope\"", 0, "UNKNOWN")), true, 0)).isNull();
    }

    @Test
    void anMmapKeepsItsFdAndFlagsFromTheMmapRecord() {
        FileSyscallEvent e = (FileSyscallEvent) EventBuilder.syscall(List.of(
                syscall(9, 9, "success=yes exit=140000000", "a0=0 a1=1000 a2=3 a3=1 items=0"),
                rec(1323, "audit(1700000000.250:9): fd=12 flags=0x1")), false, 0);
        assertThat(e.syscall()).isEqualTo("mmap");
        assertThat(e.mmapFd()).isEqualTo(12);
        assertThat(e.mmapFlags()).isEqualTo(1);
        assertThat(e.flags()).isEqualTo(FileSyscallEvent.INCOMPLETE);
    }

    @Test
    void aForkIsAProcessEventWithTheChildInExitAndAThreadIsNothing() {
        ProcessEvent fork = (ProcessEvent) EventBuilder.syscall(List.of(syscall(10, 56, "success=yes exit=4243",
                "a0=1200011 a1=0 a2=0 a3=7f00 items=0")), true, 0);
        assertThat(fork.syscall()).isEqualTo("clone");
        assertThat(fork.exit()).isEqualTo(4243);
        assertThat(fork.pid()).isEqualTo(4242);
        assertThat(fork.flags() & ProcessEvent.CLONE_PARENT).isZero();
        assertThat(fork.argv()).isEmpty();
        ProcessEvent sibling = (ProcessEvent) EventBuilder.syscall(List.of(syscall(11, 56, "success=yes exit=4244",
                "a0=8011 a1=0 a2=0 a3=0 items=0")), true, 0);
        assertThat(sibling.flags() & ProcessEvent.CLONE_PARENT).isNotZero();
        assertThat(EventBuilder.syscall(List.of(syscall(12, 56, "success=yes exit=4245", "a0=3d0f00 a1=7f00 a2=7f01 a3=7f02 items=0")), true, 0))
                .as("CLONE_THREAD: a thread, not a process").isNull();
        assertThat(((ProcessEvent) EventBuilder.syscall(List.of(syscall(13, 57, "success=yes exit=4246", "a0=0 a1=0 a2=0 a3=0 items=0")), true, 0))
                .syscall()).isEqualTo("fork");
    }

    @Test
    void aKillIsAProcessEventOfTheSender() {
        ProcessEvent kill = (ProcessEvent) EventBuilder.syscall(List.of(syscall(14, 62, "success=yes exit=0", "a0=10f1 a1=9 a2=0 a3=0 items=0"),
                rec(1318, "audit(1700000000.250:14): opid=4337 oauid=1000 ouid=0 oses=3 ocomm=\"sleep\"")), true, 0);
        assertThat(kill.syscall()).isEqualTo("kill");
        assertThat(kill.pid()).isEqualTo(4242);
        assertThat(kill.ppid()).isEqualTo(100);
        assertThat(text(kill.exe())).isEqualTo("/usr/bin/python3.11");
    }

    @Test
    void aFileSyscallEventSurvivesTheJournalEncoding() {
        FileSyscallEvent e = (FileSyscallEvent) EventBuilder.syscall(List.of(
                syscall(15, 82, "success=yes exit=0", "a0=1 a1=2 a2=0 a3=0 items=4"), cwd(15, "/srv"),
                path(15, 0, "\"/srv/\"", 10, "PARENT"), path(15, 1, "\"/srv/\"", 10, "PARENT"),
                path(15, 2, "\"a\"", 20, "DELETE"), path(15, 3, "\"b\"", 20, "CREATE")), true, 0);
        RecordOutput out = new RecordOutput();
        e.encode(out);
        FileSyscallEvent back = (FileSyscallEvent) Records.decode(EventType.FILE_SYSCALL, e.captureNanos(), out.toByteArray());
        assertThat(back.syscall()).isEqualTo("rename");
        assertThat(back.items()).containsExactly(0, 1, 2, 3);
        assertThat(Arrays.stream(back.names()).map(FileSyscallRecordsTest::text).toList()).containsExactly("/srv/", "/srv/", "a", "b");
        assertThat(back.inodes()).containsExactly(10L, 10L, 20L, 20L);
        assertThat(back.args()).containsExactly(e.args());
        assertThat(text(back.cwd())).isEqualTo("/srv");
        assertThat(back.toString()).isEqualTo(e.toString());
    }

    /** The syscall numbers an x86_64 rule of this publisher asks the kernel for. */
    static Set<Integer> x86Syscalls(AuditPublisher p) {
        Set<Integer> out = new HashSet<>();
        for (AuditRule r : p.rules()) {
            ByteBuffer b = ByteBuffer.wrap(r.data()).order(ByteOrder.nativeOrder());
            if (b.getInt(12 + 256 + 256) != Syscalls.ARCH_X86_64) continue;
            for (int nr = 0; nr < 2048; nr++) if ((b.getInt(12 + 4 * (nr / 32)) & (1 << (nr % 32))) != 0) out.add(nr);
        }
        return out;
    }

    static AuditPublisher publisher(SyscallGroups groups) {
        return new AuditPublisher(new AuditPublisher.Config(AuditPublisher.Mode.OWNER, true, true, false, false, false, 8192, 0,
                java.nio.file.Path.of("/nonexistent"), SecurityRecords.NONE, groups), e -> 0L);
    }

    @Test
    void theFlagsAddTheirSyscallsToTheRules() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("os.arch").equals("amd64"), "x86_64 syscall numbers");
        assertThat(x86Syscalls(publisher(SyscallGroups.NONE))).containsExactlyInAnyOrder(59, 322);
        assertThat(x86Syscalls(publisher(new SyscallGroups(true, false, false)))).containsExactlyInAnyOrder(59, 322, 56, 57, 58);
        assertThat(x86Syscalls(publisher(new SyscallGroups(false, true, false)))).containsExactlyInAnyOrder(59, 322, 62, 200, 234);
        List<Integer> fim = new ArrayList<>(x86Syscalls(publisher(new SyscallGroups(false, false, true))));
        assertThat(fim).contains(59, 322, 56, 57, 58, 0, 1, 2, 3, 9, 17, 18, 19, 20, 32, 33, 76, 77, 82, 85, 86, 87, 88, 133, 257, 259,
                263, 264, 265, 266, 292, 295, 296, 303, 304, 316, 437).doesNotContain(62, 49, 42);
    }
}
