package io.hostql.os;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one binding loads (every symbol resolves: direct mapping registers them all when the class loads)
 * and its overloads reach the same libc calls, with java.nio as the witness.
 */
class LibcTest {
    @Test
    void readsAFileIntoJavaAndNativeBuffers(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("f");
        Files.writeString(f, "hello, libc");
        byte[] heap = new byte[64];
        Memory mem = new Memory(64);
        int fd = Libc.open(Libc.cPath(f), Libc.O_RDONLY | Libc.O_CLOEXEC);
        assertThat(fd).isNotNegative();
        try {
            assertThat(Libc.read(fd, heap, 5)).isEqualTo(5);
            assertThat(Libc.read(fd, mem, 64)).isEqualTo(6);
        } finally {
            assertThat(Libc.close(fd)).isZero();
        }
        assertThat(new String(heap, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("hello");
        assertThat(mem.getString(0).substring(0, 6)).isEqualTo(", libc");
    }

    @Test
    void errnoAndItsText(@TempDir Path dir) {
        assertThat(Libc.open(Libc.cPath(dir.resolve("missing")), Libc.O_RDONLY)).isEqualTo(-1);
        assertThat(Native.getLastError()).isEqualTo(Libc.ENOENT);
        assertThat(Libc.errorText(Libc.ENOENT)).isEqualTo("No such file or directory");
    }

    @Test
    void lstatAndStatxAgreeWithJava(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("f");
        Files.write(f, new byte[1234]);
        long inode = (Long) Files.getAttribute(f, "unix:ino");
        long[] st = new long[18];
        assertThat(Libc.lstat(Libc.cPath(f), st)).isZero();
        assertThat(st[1]).isEqualTo(inode);
        byte[] raw = new byte[256];
        assertThat(Libc.lstat(Libc.cPath(f), raw)).isZero();
        assertThat(ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder()).getLong(8)).isEqualTo(inode);
        byte[] stx = new byte[Libc.STATX_SIZE];
        assertThat(Libc.statx(Libc.AT_FDCWD, Libc.cPath(f), Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, stx)).isZero();
        ByteBuffer b = ByteBuffer.wrap(stx).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getLong(40)).isEqualTo(1234); // stx_size
        assertThat(b.getLong(Libc.STX_ATTRIBUTES) & (Libc.STATX_ATTR_IMMUTABLE | Libc.STATX_ATTR_APPEND)).isZero();
    }

    @Test
    void anEventfdWakesPoll() {
        int fd = Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        assertThat(fd).isNotNegative();
        try {
            Memory pollfd = new Memory(8), one = new Memory(8);
            pollfd.setInt(0, fd);
            pollfd.setShort(4, Libc.POLLIN);
            pollfd.setShort(6, (short) 0);
            assertThat(Libc.poll(pollfd, 1, 0)).isZero();
            one.setLong(0, 1);
            assertThat(Libc.write(fd, one, 8)).isEqualTo(8);
            assertThat(Libc.poll(pollfd, 1, 1000)).isEqualTo(1);
            assertThat(pollfd.getShort(6) & Libc.POLLIN).isEqualTo(Libc.POLLIN);
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void helpers() {
        assertThat(Libc.cPath("/a")).containsExactly('/', 'a', 0);
        assertThat(Libc.sockaddrNl(0x01020304)).containsExactly(Libc.AF_NETLINK, 0, 0, 0, 0, 0, 0, 0, 4, 3, 2, 1);
        byte[] uts = new byte[6 * 65];
        assertThat(Libc.uname(uts)).isZero();
        assertThat(Libc.utsField(uts, 0)).isEqualTo("Linux");
        assertThat(Libc.getpid()).isEqualTo((int) ProcessHandle.current().pid());
    }
}
