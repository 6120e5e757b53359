package io.hostql.loggers.net;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The libc socket calls Java lacks: datagrams on a Unix socket (/dev/log is SOCK_DGRAM; Java 17 NIO
 * has Unix stream sockets only) and SIOCOUTQ, the bytes a TCP peer has not acknowledged yet. JNA
 * direct mapping; constants are Linux's (the same on x86_64 and aarch64).
 */
public final class SocketLibc {
    static {
        Native.register(SocketLibc.class, Platform.C_LIBRARY_NAME);
    }

    private SocketLibc() {}

    public static final int AF_UNIX = 1, SOCK_DGRAM = 2, SOCK_CLOEXEC = 02000000;
    public static final int SOL_SOCKET = 1, SO_SNDBUF = 7, SO_SNDTIMEO = 21;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final long SIOCOUTQ = 0x5411;
    public static final int EAGAIN = 11, EMSGSIZE = 90, ENOBUFS = 105;

    public static native int socket(int domain, int type, int protocol);

    public static native long sendto(int fd, byte[] buf, long len, int flags, byte[] addr, int addrlen);

    public static native int setsockopt(int fd, int level, int name, byte[] value, int len);

    public static native int ioctl(int fd, long request, int[] out);

    public static native int close(int fd);

    public static native Pointer strerror(int errnum);

    public static String errorText(int errno) {
        Pointer p = strerror(errno);
        return p == null ? "errno " + errno : p.getString(0);
    }
}
