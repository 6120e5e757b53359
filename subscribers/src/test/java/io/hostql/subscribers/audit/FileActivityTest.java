package io.hostql.subscribers.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.events.FileSyscallEvent;
import io.hostql.subscribers.audit.FileActivity.Activity;
import io.hostql.subscribers.audit.FileActivity.Operation;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** osquery's audit FIM state machine on file syscalls as the audit publisher journals them. No kernel. */
class FileActivityTest {
    static final long AT_FDCWD = -100, O_WRONLY_CREAT_TRUNC = 0x241, O_RDWR = 0x2;
    final FileActivity fim = new FileActivity();

    /** A successful syscall of pid; items are name, inode pairs with indexes 0, 1, ... */
    static FileSyscallEvent ev(int pid, String syscall, long exit, long[] args, String cwd, Object... items) {
        return ev(0, pid, syscall, exit, args, cwd, items);
    }

    static FileSyscallEvent ev(int flags, int pid, String syscall, long exit, long[] args, String cwd, Object... items) {
        int n = items.length / 2;
        int[] idx = new int[n];
        byte[][] names = new byte[n][];
        long[] inodes = new long[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
            names[i] = items[2 * i] == null ? null : ((String) items[2 * i]).getBytes(StandardCharsets.UTF_8);
            inodes[i] = ((Number) items[2 * i + 1]).longValue();
        }
        return new FileSyscallEvent(1, 1700000000250L, 1, syscall, true, exit, pid, 1, 1000, 0, 0, 0, 0, 0, 0, 0, 0,
                "/usr/bin/python3".getBytes(StandardCharsets.UTF_8), cwd == null ? null : cwd.getBytes(StandardCharsets.UTF_8),
                args, idx, names, inodes, -1, -1, flags);
    }

    static long[] args(long... a) {
        long[] out = new long[4];
        System.arraycopy(a, 0, out, 0, a.length);
        return out;
    }

    static String show(Activity a) {
        if (a == null) return null;
        return a.operation().text + " " + new String(a.path(), StandardCharsets.UTF_8)
                + (a.destPath() == null ? "" : " -> " + new String(a.destPath(), StandardCharsets.UTF_8)) + (a.partial() ? " (partial)" : "");
    }

    String apply(FileSyscallEvent e) {
        return show(fim.apply(e));
    }

    String openCreate(int pid, String dir, String name, long inode, int fd) {
        return apply(ev(pid, "openat", fd, args(AT_FDCWD, 0, O_WRONLY_CREAT_TRUNC), "/root", dir, 5, name, inode));
    }

    @Test
    void aFileWrittenRenamedAndDeleted() {
        assertThat(openCreate(10, "/srv/w/", "/srv/w/a", 20, 3)).isEqualTo("open+truncate /srv/w/a");
        assertThat(apply(ev(10, "write", 6, args(3), null))).isEqualTo("write /srv/w/a");
        assertThat(apply(ev(10, "write", 6, args(3), null))).as("only state changes").isNull();
        assertThat(apply(ev(10, "close", 0, args(3), null))).isEqualTo("close /srv/w/a");
        assertThat(apply(ev(10, "write", 6, args(3), null))).as("closed").isNull();
        assertThat(apply(ev(10, "rename", 0, args(1, 2), "/root", "/srv/w/", 5, "/srv/w/", 5, "/srv/w/a", 20, "/srv/w/b", 20)))
                .isEqualTo("rename /srv/w/a -> /srv/w/b");
        assertThat(apply(ev(10, "unlink", 0, args(1), "/root", "/srv/w/", 5, "/srv/w/b", 20))).isEqualTo("unlink /srv/w/b");
    }

    @Test
    void aReadThenAWriteAreTwoChangesAndRepeatsAreNone() {
        assertThat(apply(ev(11, "openat", 4, args(AT_FDCWD, 0, O_RDWR), "/srv", "data", 30))).isEqualTo("open /srv/data");
        assertThat(apply(ev(11, "pread64", 10, args(4), null))).isEqualTo("read /srv/data");
        assertThat(apply(ev(11, "readv", 10, args(4), null))).isNull();
        assertThat(apply(ev(11, "pwritev2", 10, args(4), null))).isEqualTo("write /srv/data");
        assertThat(apply(ev(11, "read", 10, args(4), null))).as("write is the last state").isNull();
        assertThat(apply(ev(11, "ftruncate", 0, args(4), null))).isNull();
    }

    @Test
    void pathsAreMadeAbsoluteAndNormalizedWithoutTheFileSystem() {
        assertThat(apply(ev(12, "openat", 3, args(AT_FDCWD, 0, 0), "/srv/sub", "../w/./x", 40))).isEqualTo("open /srv/w/x");
        assertThat(apply(ev(12, "open", 4, args(0, 0x200), "/srv", "/srv//w/../y", 41))).isEqualTo("open+truncate /srv/y");
        assertThat(apply(ev(12, "creat", 5, args(0, 0644), "/srv", "/srv", 1, "z", 42))).as("creat truncates").isEqualTo("open+truncate /srv/z");
        assertThat(apply(ev(12, "openat", 6, args(AT_FDCWD, 0, 0x241), "/srv", "new", 43, "/srv", 1, "extra", 44)))
                .as("three items: the first one").isEqualTo("open+truncate /srv/new");
        assertThat(FileActivity.normalize("/", "../../etc/passwd")).isEqualTo("/etc/passwd");
        assertThat(FileActivity.normalize("/a/b", "c/")).isEqualTo("/a/b/c");
        assertThat(FileActivity.normalize(null, "x")).isEqualTo("/x");
        assertThat(FileActivity.normalize("/a", "..")).isEqualTo("/");
    }

    @Test
    void descriptorsOpenedBeforeHostqlAreNotFollowed() {
        assertThat(apply(ev(13, "write", 1, args(7), null))).isNull();
        assertThat(apply(ev(13, "close", 0, args(7), null))).isNull();
        assertThat(apply(ev(13, "mmap", 0, args(0, 4096, 3, 1), null))).as("no MMAP record: anonymous").isNull();
    }

    @Test
    void dupAndForkCarryDescriptors() {
        openCreate(14, "/srv/w/", "/srv/w/f", 50, 3);
        assertThat(apply(ev(14, "dup", 9, args(3), null))).isNull();
        assertThat(apply(ev(14, "write", 1, args(9), null))).isEqualTo("write /srv/w/f");
        fim.fork(14, 15);
        assertThat(apply(ev(15, "write", 1, args(3), null))).as("the child's copy").isEqualTo("write /srv/w/f");
        assertThat(apply(ev(14, "write", 1, args(3), null))).as("the parent's own").isEqualTo("write /srv/w/f");
        fim.fork(99, 16);
        assertThat(apply(ev(16, "write", 1, args(3), null))).as("a parent not followed gives nothing").isNull();
    }

    @Test
    void renamesOfFilesNeverSeenArePartialAndAReplacedFileIsForgotten() {
        assertThat(apply(ev(17, "renameat2", 0, args(AT_FDCWD, 1, AT_FDCWD, 2), "/root", "/srv/", 5, "/srv/", 5, "/srv/old", 60, "/srv/new", 60)))
                .isEqualTo("rename /srv/old -> /srv/new (partial)");
        openCreate(17, "/srv/", "/srv/x", 61, 3);
        assertThat(apply(ev(17, "rename", 0, args(1, 2), "/srv", "/srv/", 5, "/srv/", 5, "x", 61, "new", 60, "new", 61)))
                .as("five items: the destination is the last").isEqualTo("rename /srv/x -> /srv/new");
        assertThat(apply(ev(17, "write", 1, args(3), null))).as("the renamed inode at its new path").isEqualTo("write /srv/new");
        assertThat(apply(ev(17, "rename", 0, args(1, 2), "/srv", "/srv/", 5, "/srv/", 5, "x", 61))).as("malformed").isNull();
    }

    @Test
    void linksSymlinksAndTruncates() {
        assertThat(apply(ev(18, "linkat", 0, args(AT_FDCWD, 1, AT_FDCWD, 2), "/srv", "/srv/a", 70, "/srv/", 5, "/srv/hard", 70)))
                .isEqualTo("link /srv/a -> /srv/hard");
        assertThat(apply(ev(18, "symlink", 0, args(1, 2), "/srv", "target", 0, "/srv/", 5, "/srv/sym", 71)))
                .isEqualTo("symlink /srv/target -> /srv/sym");
        assertThat(apply(ev(18, "truncate", 0, args(1, 0), "/srv", "t", 72))).isEqualTo("write /srv/t");
        assertThat(apply(ev(18, "unlinkat", 0, args(AT_FDCWD, 1, 0x200), "/srv", "/srv", 5, "gone", 73))).isEqualTo("unlink /srv/gone");
    }

    @Test
    void aSharedWritableMappingIsAWriteAndAPrivateOneARead() {
        openCreate(19, "/srv/", "/srv/m", 80, 3);
        FileSyscallEvent priv = ev(19, "mmap", 1, args(0, 4096, 3, 2), null);
        priv = new FileSyscallEvent(1, 1, 1, "mmap", true, 1, 19, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, null, priv.args(), new int[0],
                new byte[0][], new long[0], 3, 2, 0);
        assertThat(show(fim.apply(priv))).isEqualTo("read /srv/m");
        FileSyscallEvent shared = new FileSyscallEvent(1, 1, 1, "mmap", true, 1, 19, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, null,
                args(0, 4096, 3, 1), new int[0], new byte[0][], new long[0], 3, 1, 0);
        assertThat(show(fim.apply(shared))).isEqualTo("write /srv/m");
    }

    @Test
    void anEventWhoseEndNeverCameIsPartial() {
        assertThat(show(fim.apply(ev(FileSyscallEvent.INCOMPLETE, 20, "unlink", 0, args(1), "/", "/srv/", 5, "/srv/q", 90))))
                .isEqualTo("unlink /srv/q (partial)");
        assertThat(Operation.UNLINK.write).isTrue();
        assertThat(Operation.CLOSE.write).isFalse();
    }

    @Test
    void theLeastRecentlyUsedProcessesAreForgottenPastTheBound() {
        openCreate(1, "/srv/", "/srv/first", 100, 3);
        for (int pid = 2; pid <= FileActivity.MAX_PROCESSES + 1; pid++) openCreate(pid, "/srv/", "/srv/p", 101, 3);
        assertThat(fim.processes()).isEqualTo(FileActivity.MAX_PROCESSES);
        assertThat(apply(ev(1, "write", 1, args(3), null))).isNull();
        assertThat(apply(ev(FileActivity.MAX_PROCESSES + 1, "write", 1, args(3), null))).isEqualTo("write /srv/p");
    }
}
