package io.hostql.publishers.inotify;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/** libc calls the tests need beyond the publisher's binding. */
final class TestLibc {
    static {
        Native.register(TestLibc.class, Platform.C_LIBRARY_NAME);
    }

    private TestLibc() {}

    static final long SYS_PIDFD_OPEN = 434, SYS_PIDFD_GETFD = 438; // the same on every architecture

    static native int creat(byte[] path, int mode);

    static native int close(int fd);

    static native int geteuid();

    static native long syscall(long number, long a, long b, long c);
}
