package io.hostql.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * ProcessEvent and FileSyscallEvent read their caller's ids with one reader ({@link SyscallCaller}): payloads journaled
 * before it (bytes as the earlier encoders wrote them) decode to the same fields and encode back to the same bytes.
 */
class SyscallCallerTest {
    /** execve of /usr/bin/id -u by pid 1234, as ProcessEvent encoded it before the shared reader. */
    static final String PROCESS_BEFORE = "7b68e5cf8b010000921000000000000006000000657865637665010000000000000000d204000001000000e8030000000000"
            + "00e903000000000000ea03000000000000eb03000000000000ec03000000000000d107000000000000d207000000000000d3"
            + "07000000000000d40700000000000007000000000000000b0000002f7573722f62696e2f6964020000006964040000002f74"
            + "6d7002000000020000006964020000002d7502000000ed8100000000000000000000000000000000000002000000";
    /** renameat2 of /tmp/a to /tmp/b by pid 1235, as FileSyscallEvent encoded it before the shared reader. */
    static final String FILE_SYSCALL_BEFORE = "c869e5cf8b01000093100000000000000900000072656e616d65617432010000000000000000d3040000d2040000e8030000"
            + "00000000e903000000000000ea03000000000000eb03000000000000ec03000000000000d107000000000000d20700000000"
            + "0000d307000000000000d4070000000000000b0000002f7573722f62696e2f6d76040000002f746d709cffffffffffffffd0"
            + "550000000000009cffffffffffffffe0550000000000000400000000000000040000002f746d700b00000000000000010000"
            + "0001000000610c0000000000000002000000ffffffff00000000000000000300000001000000620d00000000000000ffffff"
            + "ffffffffffffffffffffffffff00000000";

    @Test
    void aProcessEventJournaledBeforeDecodesAndEncodesTheSame() {
        byte[] before = HexFormat.of().parseHex(PROCESS_BEFORE);
        ProcessEvent e = (ProcessEvent) Records.decode(EventType.PROCESS, 5, before);
        assertCaller(e, 1700000000123L, 4242, "execve", 1234, 1);
        assertThat(e.ses()).isEqualTo(7);
        assertThat(ProcessEvent.text(e.exe())).isEqualTo("/usr/bin/id");
        assertThat(ProcessEvent.text(e.cmdline())).isEqualTo("id -u");
        assertThat(e.mode()).isEqualTo(0100755);
        assertThat(e.flags()).isEqualTo(ProcessEvent.ARGV_FROM_PROCTITLE);
        assertThat(JournalFrameFuzzTest.encode(e)).isEqualTo(before);
    }

    @Test
    void aFileSyscallEventJournaledBeforeDecodesAndEncodesTheSame() {
        byte[] before = HexFormat.of().parseHex(FILE_SYSCALL_BEFORE);
        FileSyscallEvent e = (FileSyscallEvent) Records.decode(EventType.FILE_SYSCALL, 5, before);
        assertCaller(e, 1700000000456L, 4243, "renameat2", 1235, 1234);
        assertThat(ProcessEvent.text(e.exe())).isEqualTo("/usr/bin/mv");
        assertThat(e.args()).containsExactly(-100, 0x55d0, -100, 0x55e0);
        assertThat(e.items()).containsExactly(0, 1, 2, 3);
        assertThat(e.names()[2]).isNull();
        assertThat(ProcessEvent.text(e.names()[3])).isEqualTo("b");
        assertThat(e.inodes()).containsExactly(11, 12, 0, 13);
        assertThat(e.mmapFd()).isEqualTo(-1);
        assertThat(JournalFrameFuzzTest.encode(e)).isEqualTo(before);
    }

    private static void assertCaller(SyscallCaller c, long millis, long serial, String syscall, int pid, int ppid) {
        assertThat(c.kernelMillis()).isEqualTo(millis);
        assertThat(c.serial()).isEqualTo(serial);
        assertThat(c.syscall()).isEqualTo(syscall);
        assertThat(c.success()).isTrue();
        assertThat(c.exit()).isZero();
        assertThat(c.pid()).isEqualTo(pid);
        assertThat(c.ppid()).isEqualTo(ppid);
        assertThat(new long[] {c.auid(), c.uid(), c.euid(), c.suid(), c.fsuid(), c.gid(), c.egid(), c.sgid(), c.fsgid()})
                .containsExactly(1000, 1001, 1002, 1003, 1004, 2001, 2002, 2003, 2004);
    }
}
