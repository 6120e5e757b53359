package io.hostql.publishers.syslog;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/** The libc calls the syslog pipe needs (Java has no mkfifo, and the reader polls a descriptor); errno via {@link Native#getLastError()}. */
final class SyslogLibc {
    static {
        Native.register(SyslogLibc.class, Platform.C_LIBRARY_NAME);
    }

    private SyslogLibc() {}

    static final int O_RDWR = 02, O_NONBLOCK = 04000, O_CLOEXEC = 02000000;
    static final int LOCK_EX = 2, LOCK_NB = 4;
    static final int EINTR = 4, EAGAIN = 11, EEXIST = 17;

    static native int mkfifo(String path, int mode);

    static native int open(String path, int flags);

    static native long read(int fd, byte[] buf, long count);

    static native int flock(int fd, int operation);

    static native int close(int fd);

    static native Pointer strerror(int errnum);

    static String errorText(int errno) {
        Pointer p = strerror(errno);
        return p == null ? "errno " + errno : p.getString(0);
    }
}
