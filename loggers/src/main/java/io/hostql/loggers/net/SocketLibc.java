package io.hostql.loggers.syslog;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The libc socket calls Java lacks: datagrams on a Unix socket (/dev/log is SOCK_DGRAM; Java 17 NIO
 * has Unix stream sockets only) and SIOCOUTQ, the bytes a TCP peer has not acknowledged yet. JNA
 * direct mapping; constants are Linux's (the same on x86_64 and aarch64).
 */
final class SocketLibc {
    static {
        Native.register(SocketLibc.class, Platform.C_LIBRARY_NAME);
    }

    private SocketLibc() {}

    static final int AF_UNIX = 1, SOCK_DGRAM = 2, SOCK_CLOEXEC = 02000000;
    static final int SOL_SOCKET = 1, SO_SNDBUF = 7, SO_SNDTIMEO = 21;
    static final int MSG_NOSIGNAL = 0x4000;
    static final long SIOCOUTQ = 0x5411;
    static final int EAGAIN = 11, EMSGSIZE = 90, ENOBUFS = 105;

    static native int socket(int domain, int type, int protocol);

    static native long sendto(int fd, byte[] buf, long len, int flags, byte[] addr, int addrlen);

    static native int setsockopt(int fd, int level, int name, byte[] value, int len);

    static native int ioctl(int fd, long request, int[] out);

    static native int close(int fd);

    static native Pointer strerror(int errnum);

    static String errorText(int errno) {
        Pointer p = strerror(errno);
        return p == null ? "errno " + errno : p.getString(0);
    }
}
