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

    // ---- file access without java.io overhead (the process tables read thousands of small /proc files) ----

    public static final int O_RDONLY = 0, O_CLOEXEC = 0x80000;

    /** path must be NUL-terminated. */
    public static native int open(byte[] path, int flags);
    public static native long read(int fd, Pointer buf, long count);
    public static native int close(int fd);
    /** path must be NUL-terminated; the result is not. */
    public static native long readlink(byte[] path, Pointer buf, long size);
    /** struct stat into a long[18] (144 bytes): st_dev is word 0, st_ino word 1 on x86_64 and aarch64. */
    public static native int stat(byte[] path, long[] buf);
}
