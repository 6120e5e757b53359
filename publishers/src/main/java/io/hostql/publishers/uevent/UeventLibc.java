package io.hostql.publishers.uevent;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The libc calls the uevent publisher needs, bound with JNA direct mapping; errno is read with
 * {@link Native#getLastError()} after a -1 return. Structures are laid out at fixed offsets valid for
 * glibc on x86_64 and aarch64 (little-endian, LP64).
 */
final class UeventLibc {
    static {
        Native.register(UeventLibc.class, Platform.C_LIBRARY_NAME);
    }

    private UeventLibc() {}

    static final int AF_NETLINK = 16, SOCK_RAW = 3, SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
    static final int NETLINK_KOBJECT_UEVENT = 15;
    /** Multicast groups of NETLINK_KOBJECT_UEVENT: the kernel's own messages, and systemd-udevd's. */
    static final int GROUP_KERNEL = 1, GROUP_UDEV = 2;
    static final int SOL_SOCKET = 1, SO_RCVBUF = 8, SO_PASSCRED = 16, SO_RCVBUFFORCE = 33;
    static final int SOL_NETLINK = 270, NETLINK_ADD_MEMBERSHIP = 1, NETLINK_DROP_MEMBERSHIP = 2;
    static final int SCM_CREDENTIALS = 2;
    static final int MSG_TRUNC = 0x20, MSG_DONTWAIT = 0x40;
    static final short POLLIN = 0x1;
    static final int EPERM = 1, EINTR = 4, EAGAIN = 11, ENOBUFS = 105;

    /** struct sockaddr_nl: nl_family u16, pad u16, nl_pid u32, nl_groups u32. */
    static final int SOCKADDR_NL_SIZE = 12, NL_PID = 4, NL_GROUPS = 8;
    /** struct msghdr: name 0, namelen 8, iov 16, iovlen 24, control 32, controllen 40, flags 48. */
    static final int MSGHDR_SIZE = 56;
    /** struct cmsghdr: len (size_t) 0, level 8, type 12, data 16; struct ucred: pid, uid, gid. */
    static final int CMSG_LEVEL = 8, CMSG_TYPE = 12, CMSG_DATA = 16, UCRED_UID = 4;

    static native int socket(int domain, int type, int protocol);

    static native int bind(int fd, Pointer addr, int len);

    static native int setsockopt(int fd, int level, int name, int[] value, int len);

    static native int getsockopt(int fd, int level, int name, int[] value, int[] len);

    static native long recvmsg(int fd, Pointer msghdr, int flags);

    static native long sendto(int fd, byte[] buf, long len, int flags, Pointer addr, int addrlen);

    /** {@code struct pollfd} is {int fd; short events; short revents}: 8 bytes each. */
    static native int poll(Pointer fds, long nfds, int timeoutMillis);

    static native int close(int fd);

    static native Pointer strerror(int errnum);

    static String errorText(int errno) {
        Pointer p = strerror(errno);
        return p == null ? "errno " + errno : p.getString(0);
    }
}
