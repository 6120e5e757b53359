package io.hostql.os;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The one libc binding of hostql: every libc call the modules make, bound with JNA direct mapping (a
 * JNI stub per method, no reflection per call: interface mapping was 10-30x slower on the hot paths, the
 * inotify, uevent and audit reads among them), and the constants that go with them (x86_64 and aarch64
 * share these values). errno is read with {@link Native#getLastError()} after a -1 return.
 *
 * <p>Structures are passed as raw {@code byte[]}, {@code long[]} or native memory read at fixed offsets
 * (glibc, little-endian, LP64); paths are NUL-terminated {@code byte[]} (see {@link #cPath}) so names that
 * are not UTF-8 survive. A call has one overload per argument shape its callers use (a {@code byte[]} for a
 * Java buffer, a {@link Pointer} for native memory): direct mapping registers each one.
 */
public final class Libc {
    static {
        Native.register(Libc.class, Platform.C_LIBRARY_NAME);
    }

    private Libc() {}

    // ---- errors: errno values (Native.getLastError()) and their text ----

    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EBADF = 9, EAGAIN = 11, EACCES = 13,
            EEXIST = 17, ENOTDIR = 20, EINVAL = 22, EMFILE = 24, ENOSPC = 28, ERANGE = 34, ELOOP = 40, EMSGSIZE = 90,
            EPROTONOSUPPORT = 93, ENOBUFS = 105, ECONNREFUSED = 111;

    public static native Pointer strerror(int errnum);

    /** strerror's text for errno ("No such file or directory"). */
    public static String errorText(int errno) {
        Pointer p = strerror(errno);
        return p == null ? "errno " + errno : p.getString(0);
    }

    // ---- this process: ids, signals, resource limits, system configuration ----

    public static final int RLIMIT_CPU = 0, RLIMIT_FSIZE = 1, RLIMIT_DATA = 2, RLIMIT_STACK = 3, RLIMIT_CORE = 4,
            RLIMIT_RSS = 5, RLIMIT_NPROC = 6, RLIMIT_NOFILE = 7, RLIMIT_MEMLOCK = 8, RLIMIT_AS = 9, RLIMIT_LOCKS = 10,
            RLIMIT_SIGPENDING = 11, RLIMIT_MSGQUEUE = 12, RLIMIT_NICE = 13, RLIMIT_RTPRIO = 14, RLIMIT_RTTIME = 15;
    public static final int _SC_CLK_TCK = 2, _SC_PAGESIZE = 30, _SC_PHYS_PAGES = 85;
    /** Syscall numbers that are the same on every architecture (the pidfd calls came after the split). */
    public static final long SYS_PIDFD_OPEN = 434, SYS_PIDFD_GETFD = 438;

    /** getpriority/setpriority's "which": one process or, given a thread id, one thread (Linux keeps a nice value per thread). */
    public static final int PRIO_PROCESS = 0;

    public static native int getuid();
    public static native int geteuid();
    public static native int getpid();
    public static native int kill(int pid, int sig);
    public static final int SIGHUP = 1;
    /** signal(2)'s handler argument: the signal's default action. */
    public static final long SIG_DFL = 0;
    /** Sets a signal's disposition (a handler's address, or SIG_DFL); returns the previous one. */
    public static native long signal(int signum, long handler);
    /** The calling thread's kernel id (glibc 2.30): with PRIO_PROCESS, setpriority then changes this thread alone. */
    public static native int gettid();
    /** The nice value, -20..19 (-1 is a valid value as well as the error return; with who the caller's own id it cannot fail). */
    public static native int getpriority(int which, int who);
    /** Lowering a nice value needs CAP_SYS_NICE or RLIMIT_NICE (EACCES or EPERM without). */
    public static native int setpriority(int which, int who, int prio);
    /** struct rlimit { rlim_t cur; rlim_t max; } as long[2]; RLIM_INFINITY is -1. */
    public static native int getrlimit(int resource, long[] rlim);
    public static native long sysconf(int name);
    /** Sets the file mode creation mask; returns the previous one. */
    public static native int umask(int mask);
    /** Gives glibc's freed heap back to the system (after libyara's scans). */
    public static native int malloc_trim(long pad);
    /** A system call glibc has no wrapper for (pidfd_open, pidfd_getfd), three arguments. */
    public static native long syscall(long number, long a, long b, long c);

    // ---- NSS user database (not thread-safe: callers serialise, see tables' users.Passwd); struct passwd* or null ----

    public static native void setpwent();
    public static native Pointer getpwent();
    public static native void endpwent();
    public static native Pointer getpwuid(int uid);
    /** name: NUL-terminated. */
    public static native Pointer getpwnam(byte[] name);

    // ---- files: descriptors, stat, links, directories, extended attributes ----

    public static final int O_RDONLY = 0, O_RDWR = 2, O_NOCTTY = 0400, O_NONBLOCK = 04000, O_NOATIME = 01000000,
            O_CLOEXEC = 02000000;
    public static final int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_EMPTY_PATH = 0x1000;
    /** STATX_BASIC_STATS | STATX_BTIME, STATX_BASIC_STATS, and STATX_BTIME alone. */
    public static final int STATX_ALL_FIELDS = 0xfff, STATX_BASIC_STATS = 0x7ff, STATX_BTIME = 0x800;
    /** struct statx is 256 bytes; stx_attributes is the u64 at offset 8, stx_mtime's seconds the s64 at 112 (its nanoseconds: u32 at 120). */
    public static final int STATX_SIZE = 256, STX_ATTRIBUTES = 8, STX_MTIME = 112;
    /** stx_mode (u16 at 28) and stx_size (u64 at 40) of struct statx. */
    public static final int STX_MODE = 28, STX_SIZE = 40;
    /** The file-type bits of a mode (st_mode, stx_mode) and each type's value. */
    public static final int S_IFMT = 0170000, S_IFSOCK = 0140000, S_IFLNK = 0120000, S_IFREG = 0100000,
            S_IFBLK = 060000, S_IFDIR = 040000, S_IFCHR = 020000, S_IFIFO = 010000;
    public static final long STATX_ATTR_IMMUTABLE = 0x10, STATX_ATTR_APPEND = 0x20;
    /** readdir's d_type. */
    public static final int DT_UNKNOWN = 0, DT_DIR = 4, DT_REG = 8, DT_LNK = 10;
    /** glibc {@code struct dirent} (64-bit): d_ino 0, d_off 8, d_reclen 16, d_type 18, d_name 19. */
    public static final int DIRENT_TYPE = 18, DIRENT_NAME = 19;
    public static final int FALLOC_FL_KEEP_SIZE = 1;
    /** _IOR('f', 1, long) on LP64: the inode flags (chattr), of which immutable and append-only. */
    public static final long FS_IOC_GETFLAGS = 0x80086601L;
    public static final int FS_IMMUTABLE_FL = 0x10, FS_APPEND_FL = 0x20;
    /** getxattr's limit (XATTR_SIZE_MAX) and listxattr's (XATTR_LIST_MAX). */
    public static final int XATTR_SIZE_MAX = 65536, XATTR_LIST_MAX = 65536;

    /** open(2) without O_CREAT (no mode). */
    public static native int open(byte[] path, int flags);
    public static native int creat(byte[] path, int mode);
    /** A named pipe (the syslog publisher's; Java has none). */
    public static native int mkfifo(byte[] path, int mode);
    public static final int LOCK_EX = 2, LOCK_NB = 4;
    /** An advisory lock on the whole file: one reader of the syslog pipe per host. */
    public static native int flock(int fd, int operation);
    public static native long read(int fd, Pointer buf, long count);
    public static native long read(int fd, byte[] buf, long count);
    public static native long write(int fd, Pointer buf, long count);
    public static native int close(int fd);
    public static native int fallocate(int fd, int mode, long offset, long len);
    /** Linux 5.14: faults a mapped range in for writing, in one call (EINVAL before; EFAULT where a write would SIGBUS). */
    public static final int MADV_POPULATE_WRITE = 23;
    /** madvise(2) on a page-aligned address of a mapping Java made (a Chronicle queue file). */
    public static native int madvise(long address, long length, int advice);
    /** struct stat into a long[18] (144 bytes): st_dev is word 0, st_ino word 1 on x86_64 and aarch64. */
    public static native int stat(byte[] path, long[] buf);
    /** stat(2) of the link itself; same layout. */
    public static native int lstat(byte[] path, long[] buf);
    /** lstat into bytes (at least 144), for callers that decode the fields themselves. */
    public static native int lstat(byte[] path, byte[] buf);
    public static native int fstat(int fd, byte[] buf);
    /** struct statx is {@link #STATX_SIZE} bytes; see tables' files.FileStat for the offsets. */
    public static native int statx(int dirfd, byte[] path, int flags, int mask, byte[] statxbuf);
    /** The target is written to buf without a NUL; the result is its length, or -1. */
    public static native long readlink(byte[] path, Pointer buf, long size);
    public static native long readlink(byte[] path, byte[] buf, long size);
    public static native Pointer opendir(byte[] name);
    /** struct dirent (64-bit): see {@link #DIRENT_TYPE}, {@link #DIRENT_NAME}. */
    public static native Pointer readdir(Pointer dirp);
    public static native int closedir(Pointer dirp);
    /** NUL-separated names; follows symlinks, as osquery does. */
    public static native long listxattr(byte[] path, byte[] list, long size);
    public static native long getxattr(byte[] path, byte[] name, byte[] value, long size);

    // ---- inotify, eventfd, poll ----

    /** inotify_init1's flags (O_NONBLOCK, O_CLOEXEC) and inotify_add_watch's special flags. */
    public static final int IN_NONBLOCK = 0x800, IN_CLOEXEC = 0x80000;
    public static final int IN_ONLYDIR = 0x01000000, IN_DONT_FOLLOW = 0x02000000, IN_EXCL_UNLINK = 0x04000000,
            IN_MASK_ADD = 0x20000000;
    public static final int EFD_NONBLOCK = 0x800, EFD_CLOEXEC = 0x80000;
    public static final short POLLIN = 0x1;

    public static native int inotify_init1(int flags);
    public static native int inotify_add_watch(int fd, byte[] path, int mask);
    public static native int inotify_rm_watch(int fd, int wd);
    public static native int eventfd(int initval, int flags);
    /** {@code struct pollfd} is {int fd; short events; short revents}: 8 bytes each. */
    public static native int poll(Pointer fds, long nfds, int timeoutMillis);

    // ---- namespaces ----

    public static final int CLONE_FS = 0x200, CLONE_NEWNS = 0x20000;

    /** unshare(CLONE_FS) lets one thread of a multi-threaded process then setns into a mount namespace. */
    public static native int unshare(int flags);
    public static native int setns(int fd, int nstype);

    // ---- sockets: inet, unix, netlink (audit, kobject uevents, route) ----

    public static final int AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10, AF_NETLINK = 16, AF_PACKET = 17;
    public static final int SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_RAW = 3, SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
    public static final int IPPROTO_TCP = 6, IPPROTO_UDP = 17, IPPROTO_RAW = 255, SOL_IP = 0;
    public static final int SOL_SOCKET = 1, SO_SNDBUF = 7, SO_RCVBUF = 8, SO_PASSCRED = 16, SO_SNDTIMEO = 21,
            SO_RCVBUFFORCE = 33;
    public static final int SCM_CREDENTIALS = 2;
    public static final int MSG_TRUNC = 0x20, MSG_DONTWAIT = 0x40, MSG_NOSIGNAL = 0x4000;
    /** The bytes a TCP peer has not acknowledged yet. */
    public static final long SIOCOUTQ = 0x5411;
    public static final int NETLINK_ROUTE = 0, NETLINK_AUDIT = 9, NETLINK_KOBJECT_UEVENT = 15;
    /** Multicast groups of NETLINK_KOBJECT_UEVENT: the kernel's own messages, and systemd-udevd's. */
    public static final int GROUP_KERNEL = 1, GROUP_UDEV = 2;
    public static final int SOL_NETLINK = 270, NETLINK_ADD_MEMBERSHIP = 1, NETLINK_DROP_MEMBERSHIP = 2;
    /** struct sockaddr_nl: nl_family u16, pad u16, nl_pid u32, nl_groups u32. */
    public static final int SOCKADDR_NL_SIZE = 12, NL_PID = 4, NL_GROUPS = 8;
    /** struct msghdr: name 0, namelen 8, iov 16, iovlen 24, control 32, controllen 40, flags 48. */
    public static final int MSGHDR_SIZE = 56;
    /** struct cmsghdr: len (size_t) 0, level 8, type 12, data 16; struct ucred: pid, uid, gid. */
    public static final int CMSG_LEVEL = 8, CMSG_TYPE = 12, CMSG_DATA = 16, UCRED_UID = 4;

    public static native int socket(int domain, int type, int protocol);
    public static native int bind(int fd, Pointer addr, int len);
    public static native int bind(int fd, byte[] addr, int len);
    public static native int setsockopt(int fd, int level, int name, int[] value, int len);
    public static native int setsockopt(int fd, int level, int name, byte[] value, int len);
    /** optlen is a socklen_t in/out: int[1]. */
    public static native int getsockopt(int fd, int level, int name, int[] value, int[] len);
    public static native int getsockopt(int fd, int level, int name, byte[] value, int[] len);
    public static native long send(int fd, byte[] buf, long len, int flags);
    public static native long sendto(int fd, byte[] buf, long len, int flags, Pointer addr, int addrlen);
    public static native long sendto(int fd, byte[] buf, long len, int flags, byte[] addr, int addrlen);
    public static native long recv(int fd, byte[] buf, long len, int flags);
    public static native long recv(int fd, Pointer buf, long len, int flags);
    public static native long recvmsg(int fd, Pointer msghdr, int flags);
    /** {@code struct mmsghdr} (64 bytes on LP64): a {@code struct msghdr} (56) and the received length. */
    public static native int recvmmsg(int fd, Pointer msgvec, int vlen, int flags, Pointer timeout);
    /** ioctl with a pointer argument (struct ifreq in native memory). */
    public static native int ioctl(int fd, long request, Pointer arg);
    /** ioctl that reads or writes an int (SIOCOUTQ, FS_IOC_GETFLAGS). */
    public static native int ioctl(int fd, long request, int[] arg);
    /** /dev/loop-control's request to remove a loop device (the tests' losetup clean-up). */
    public static final long LOOP_CTL_REMOVE = 0x4C81;
    /** ioctl with an integer argument (LOOP_CTL_REMOVE). */
    public static native int ioctl(int fd, long request, long arg);
    /** *ifap written to ifap[0]; walk the list with Pointer offsets, then freeifaddrs. */
    public static native int getifaddrs(long[] ifap);
    public static native void freeifaddrs(Pointer ifa);
    /** Writes the name (IF_NAMESIZE = 16 bytes) into ifname; null if no such index. */
    public static native Pointer if_indextoname(int ifindex, byte[] ifname);
    /** res receives the struct addrinfo* as res[0]; free it with freeaddrinfo. */
    public static native int getaddrinfo(byte[] node, Pointer service, byte[] hints, long[] res);
    public static native void freeaddrinfo(Pointer res);

    /** {@code struct sockaddr_nl} with the given multicast groups; pid 0: the kernel assigns it. */
    public static byte[] sockaddrNl(int groups) {
        byte[] a = new byte[SOCKADDR_NL_SIZE];
        a[0] = (byte) AF_NETLINK;
        a[NL_GROUPS] = (byte) groups;
        a[NL_GROUPS + 1] = (byte) (groups >>> 8);
        a[NL_GROUPS + 2] = (byte) (groups >>> 16);
        a[NL_GROUPS + 3] = (byte) (groups >>> 24);
        return a;
    }

    // ---- system: kernel identity, filesystems, local time ----

    /** struct utsname: six 65-byte fields (sysname, nodename, release, version, machine, domainname). */
    public static native int uname(byte[] utsname);
    /** struct statfs (64-bit): f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree, f_fsid, f_namelen, f_frsize, f_flags, spare[4]. */
    public static native int statfs(byte[] path, long[] buf);
    /** struct tm is 56 bytes on LP64 glibc; pass at least 64. timep is a one-element time_t. */
    public static native Pointer localtime_r(long[] timep, byte[] tm);
    public static native long strftime(byte[] s, long max, byte[] format, byte[] tm);

    /** Field i (0-5) of a struct utsname filled by {@link #uname}. */
    public static String utsField(byte[] uts, int i) {
        return cString(uts, i * 65, 65);
    }

    // ---- C strings ----

    /** The UTF-8 text at b[off], up to the first NUL, max bytes or the end of b. */
    public static String cString(byte[] b, int off, int max) {
        int end = off;
        while (end < off + max && end < b.length && b[end] != 0) end++;
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    /** The bytes followed by a NUL, as C expects a path. */
    public static byte[] cPath(byte[] path) {
        return Arrays.copyOf(path, path.length + 1);
    }

    /** The path's UTF-8 bytes followed by a NUL. */
    public static byte[] cPath(String path) {
        return cPath(path.getBytes(StandardCharsets.UTF_8));
    }

    public static byte[] cPath(Path path) {
        return cPath(path.toString());
    }
}
