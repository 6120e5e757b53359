package io.hostql.publishers.inotify;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The libc calls the inotify publisher needs, bound with JNA direct mapping. Paths are NUL-terminated
 * {@code byte[]} (see {@link #cString}); errno is read with {@link Native#getLastError()} after a -1 return.
 * Structures are read at fixed offsets valid for glibc on x86_64 and aarch64 (both little-endian, LP64).
 */
final class InotifyLibc {
    static {
        Native.register(InotifyLibc.class, Platform.C_LIBRARY_NAME);
    }

    private InotifyLibc() {}

    // inotify_init1 flags (O_NONBLOCK, O_CLOEXEC).
    static final int IN_NONBLOCK = 0x800, IN_CLOEXEC = 0x80000;
    // inotify_add_watch special flags.
    static final int IN_ONLYDIR = 0x01000000, IN_DONT_FOLLOW = 0x02000000, IN_EXCL_UNLINK = 0x04000000,
            IN_MASK_ADD = 0x20000000;
    static final short POLLIN = 0x1;

    static final int ENOENT = 2, EINTR = 4, EAGAIN = 11, EACCES = 13, ENOTDIR = 20, EINVAL = 22, EMFILE = 24,
            ENOSPC = 28, ELOOP = 40;

    /** glibc {@code struct dirent} (64-bit): d_ino 0, d_off 8, d_reclen 16, d_type 18, d_name 19. */
    static final int DIRENT_TYPE = 18, DIRENT_NAME = 19;
    static final int DT_UNKNOWN = 0, DT_DIR = 4, DT_LNK = 10;

    static native int inotify_init1(int flags);

    static native int inotify_add_watch(int fd, byte[] path, int mask);

    static native int inotify_rm_watch(int fd, int wd);

    static native long read(int fd, Pointer buf, long count);

    /** {@code struct pollfd} is {int fd; short events; short revents}: 8 bytes each. */
    static native int poll(Pointer fds, long nfds, int timeoutMillis);

    static native int close(int fd);

    static native Pointer opendir(byte[] path);

    static native Pointer readdir(Pointer dir);

    static native int closedir(Pointer dir);

    static native Pointer strerror(int errnum);

    static String errorText(int errno) {
        Pointer p = strerror(errno);
        return p == null ? "errno " + errno : p.getString(0);
    }

    /** The bytes followed by a NUL, as C expects a path. */
    static byte[] cString(byte[] path) {
        byte[] c = new byte[path.length + 1];
        System.arraycopy(path, 0, c, 0, path.length);
        return c;
    }
}
