package io.hostql.daemon;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds a data dir made immutable or append-only ({@code chattr +i}, {@code +a}) under hostqld.
 *
 * <p>Why hostqld stops instead of running degraded: the journal and SQLite's {@code -shm} file are written
 * through mmap, and on ext4 a mapped write to an immutable file is a SIGBUS that kills the JVM (with an
 * hs_err file and a stale pidfile), a chance it must not take. An immutable data dir is an administrator's
 * act, not a passing fault like a full disk, so hostqld says so in one line and exits non-zero (systemd
 * restarts it, and the start refuses with the same line until the flag is removed). Looked at every
 * half second: one ioctl per file, and ext4 faults only once a written page has been cleaned by writeback.
 */
final class ImmutableDataDir {
    static {
        Native.register(ImmutableDataDir.class, Platform.C_LIBRARY_NAME);
    }

    private static final int O_RDONLY = 0, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000, O_NOFOLLOW = 0x20000;
    /** _IOR('f', 1, long) on LP64. */
    private static final long FS_IOC_GETFLAGS = 0x80086601L;
    private static final int FS_IMMUTABLE_FL = 0x10, FS_APPEND_FL = 0x20;

    private static native int open(byte[] path, int flags);

    private static native int close(int fd);

    private static native int ioctl(int fd, long request, int[] arg);

    private ImmutableDataDir() {}

    /** The first of the data dir, its journal dir and the files in them that is immutable or append-only, said in one line; or null. */
    static String problem(Path data) {
        List<Path> paths = new ArrayList<>();
        paths.add(data);
        Path journal = data.resolve("journal");
        paths.add(journal);
        for (Path dir : List.of(data, journal)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path p : ds) if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) paths.add(p);
            } catch (IOException e) {
                // a dir not made yet has no flags
            }
        }
        for (Path p : paths) {
            int flags = flags(p);
            if ((flags & (FS_IMMUTABLE_FL | FS_APPEND_FL)) != 0) {
                return p + " is " + ((flags & FS_IMMUTABLE_FL) != 0 ? "immutable (chattr +i)" : "append-only (chattr +a)")
                        + ": hostqld cannot write its data dir safely and stops; remove the flag (chattr -i -a) and start it again";
            }
        }
        return null;
    }

    /** The inode flags, or 0 when they cannot be read (a file system without them, a file gone). */
    private static int flags(Path p) {
        byte[] b = p.toString().getBytes(StandardCharsets.UTF_8);
        int fd = open(java.util.Arrays.copyOf(b, b.length + 1), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) return 0;
        try {
            int[] flags = {0};
            return ioctl(fd, FS_IOC_GETFLAGS, flags) == 0 ? flags[0] : 0;
        } finally {
            close(fd);
        }
    }
}
