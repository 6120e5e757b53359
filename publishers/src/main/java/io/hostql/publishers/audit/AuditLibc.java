package io.hostql.publishers.audit;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The libc calls the audit publisher needs (netlink socket, poll), bound with JNA direct
 * mapping. errno is read with {@link Native#getLastError()} after a -1 return.
 */
final class AuditLibc {
    static {
        Native.register(AuditLibc.class, Platform.C_LIBRARY_NAME);
    }

    private AuditLibc() {}

    static final int AF_NETLINK = 16, SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000, SOCK_NONBLOCK = 0x800, NETLINK_AUDIT = 9;
    static final int SOL_SOCKET = 1, SO_RCVBUF = 8, SO_RCVBUFFORCE = 33;
    static final int MSG_DONTWAIT = 0x40;
    static final short POLLIN = 0x1;
    static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EAGAIN = 11, EACCES = 13, EEXIST = 17, EINVAL = 22,
            ECONNREFUSED = 111, ENOBUFS = 105, EPROTONOSUPPORT = 93;

    static native int socket(int domain, int type, int protocol);

    static native int bind(int fd, byte[] addr, int len);

    static native long sendto(int fd, byte[] buf, long len, int flags, byte[] addr, int addrlen);

    static native long recv(int fd, Pointer buf, long len, int flags);

    /** {@code struct mmsghdr} (64 bytes on LP64): a {@code struct msghdr} (56) and the received length. */
    static native int recvmmsg(int fd, Pointer msgvec, int vlen, int flags, Pointer timeout);

    static native int setsockopt(int fd, int level, int name, int[] value, int len);

    static native int getsockopt(int fd, int level, int name, int[] value, int[] len);

    /** {@code struct pollfd} is {int fd; short events; short revents}: 8 bytes each. */
    static native int poll(Pointer fds, long nfds, int timeoutMillis);

    static native int close(int fd);

    static native int kill(int pid, int sig);

    static native Pointer strerror(int errnum);

    static String errorText(int errno) {
        Pointer p = strerror(errno);
        return p == null ? "errno " + errno : p.getString(0);
    }

    /** {@code struct sockaddr_nl}: family, pad, pid (0: the kernel assigns), multicast groups. */
    static byte[] sockaddrNl(int groups) {
        byte[] a = new byte[12];
        a[0] = (byte) AF_NETLINK;
        a[8] = (byte) groups;
        a[9] = (byte) (groups >>> 8);
        a[10] = (byte) (groups >>> 16);
        a[11] = (byte) (groups >>> 24);
        return a;
    }
}
