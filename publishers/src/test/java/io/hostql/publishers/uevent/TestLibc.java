package io.hostql.publishers.uevent;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/** libc calls the tests need beyond the publisher's binding. */
final class TestLibc {
    static {
        Native.register(TestLibc.class, Platform.C_LIBRARY_NAME);
    }

    private TestLibc() {}

    static final int O_RDWR = 2, O_CLOEXEC = 0x80000;
    static final long LOOP_CTL_REMOVE = 0x4C81;

    static native int geteuid();

    static native int open(byte[] path, int flags);

    static native int ioctl(int fd, long request, long arg);

    static native int close(int fd);
}
