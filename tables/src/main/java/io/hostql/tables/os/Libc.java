package io.hostql.tables.os;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * libc calls the tables need, bound with JNA direct mapping (fast, no reflection per call).
 * Structures are passed as raw {@code byte[]}/{@code long[]} buffers read at fixed x86_64/aarch64 offsets.
 */
public final class Libc {
    static {
        Native.register(Libc.class, Platform.C_LIBRARY_NAME);
    }

    private Libc() {}

    public static final int RLIMIT_CPU = 0, RLIMIT_FSIZE = 1, RLIMIT_DATA = 2, RLIMIT_STACK = 3, RLIMIT_CORE = 4,
            RLIMIT_RSS = 5, RLIMIT_NPROC = 6, RLIMIT_NOFILE = 7, RLIMIT_MEMLOCK = 8, RLIMIT_AS = 9, RLIMIT_LOCKS = 10,
            RLIMIT_SIGPENDING = 11, RLIMIT_MSGQUEUE = 12, RLIMIT_NICE = 13, RLIMIT_RTPRIO = 14, RLIMIT_RTTIME = 15;

    public static final int _SC_CLK_TCK = 2, _SC_PAGESIZE = 30;

    public static native int getuid();
    public static native int geteuid();
    public static native int getpid();
    /** struct rlimit { rlim_t cur; rlim_t max; } as long[2]; RLIM_INFINITY is -1. */
    public static native int getrlimit(int resource, long[] rlim);
    public static native long sysconf(int name);
    public static native Pointer strerror(int errnum);

    public static String errorText(int errno) {
        Pointer p = strerror(errno);
        return p == null ? "errno " + errno : p.getString(0);
    }

    // ---- files: statx, raw-byte paths, non-blocking reads (io.hostql.tables.files) ----------
    // Paths are NUL-terminated byte[] so non-UTF-8 names survive.

    public static final int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_EMPTY_PATH = 0x1000;
    /** STATX_BASIC_STATS | STATX_BTIME. */
    public static final int STATX_ALL_FIELDS = 0xfff, STATX_BTIME = 0x800;
    /** Same values on x86_64 and aarch64. */
    public static final int O_RDONLY = 0, O_NOCTTY = 0400, O_NONBLOCK = 04000, O_CLOEXEC = 02000000;
    public static final int ENOENT = 2, EACCES = 13, ENOTDIR = 20;

    /** struct statx is 256 bytes; see io.hostql.tables.files.FileStat for the offsets. */
    public static native int statx(int dirfd, byte[] path, int flags, int mask, byte[] statxbuf);
    /** open(2) without O_CREAT; mode is ignored then. */
    public static native int open(byte[] path, int flags, int mode);
    public static native long read(int fd, Pointer buf, long count);
    public static native int close(int fd);
    public static native long readlink(byte[] path, byte[] buf, long bufsiz);
    public static native Pointer opendir(byte[] name);
    /** struct dirent (64-bit): d_ino @0, d_off @8, d_reclen @16, d_type @18, d_name @19. */
    public static native Pointer readdir(Pointer dirp);
    public static native int closedir(Pointer dirp);

    public static final int CLONE_FS = 0x200, CLONE_NEWNS = 0x20000;
    /** unshare(CLONE_FS) lets one thread of a multi-threaded process then setns into a mount namespace. */
    public static native int unshare(int flags);
    public static native int setns(int fd, int nstype);
}
