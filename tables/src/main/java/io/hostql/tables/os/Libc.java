package io.hostql.tables.os;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * libc calls the tables need, bound with JNA direct mapping (fast, no reflection per call), and the
 * constants that go with them (x86_64 and aarch64 share these values). Structures are passed as raw
 * {@code byte[]}/{@code long[]} buffers read at fixed offsets; paths are NUL-terminated {@code byte[]}
 * so names that are not UTF-8 survive.
 */
public final class Libc {
    static {
        Native.register(Libc.class, Platform.C_LIBRARY_NAME);
    }

    private Libc() {}

    // ---- errors: errno values (Native.getLastError()) and their text ----

    public static final int EPERM = 1, ENOENT = 2, EINTR = 4, EAGAIN = 11, EACCES = 13, ENOTDIR = 20;

    public static native Pointer strerror(int errnum);

    public static String errorText(int errno) {
        Pointer p = strerror(errno);
        return p == null ? "errno " + errno : p.getString(0);
    }

    // ---- this process: ids, resource limits, system configuration ----

    public static final int RLIMIT_CPU = 0, RLIMIT_FSIZE = 1, RLIMIT_DATA = 2, RLIMIT_STACK = 3, RLIMIT_CORE = 4,
            RLIMIT_RSS = 5, RLIMIT_NPROC = 6, RLIMIT_NOFILE = 7, RLIMIT_MEMLOCK = 8, RLIMIT_AS = 9, RLIMIT_LOCKS = 10,
            RLIMIT_SIGPENDING = 11, RLIMIT_MSGQUEUE = 12, RLIMIT_NICE = 13, RLIMIT_RTPRIO = 14, RLIMIT_RTTIME = 15;
    public static final int _SC_CLK_TCK = 2, _SC_PAGESIZE = 30, _SC_PHYS_PAGES = 85;

    public static native int getuid();
    public static native int geteuid();
    public static native int getpid();
    /** struct rlimit { rlim_t cur; rlim_t max; } as long[2]; RLIM_INFINITY is -1. */
    public static native int getrlimit(int resource, long[] rlim);
    public static native long sysconf(int name);
    /** Sets the file mode creation mask; returns the previous one. */
    public static native int umask(int mask);

    // ---- NSS user database (not thread-safe: callers serialise, see users.Passwd); struct passwd* or null ----

    public static native void setpwent();
    public static native Pointer getpwent();
    public static native void endpwent();
    public static native Pointer getpwuid(int uid);
    /** name: NUL-terminated. */
    public static native Pointer getpwnam(byte[] name);

    // ---- files: descriptors, stat, links, directories (the process tables read thousands of small /proc files) ----

    public static final int O_RDONLY = 0, O_NOCTTY = 0400, O_NONBLOCK = 04000, O_CLOEXEC = 0x80000;
    public static final int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_EMPTY_PATH = 0x1000;
    /** STATX_BASIC_STATS | STATX_BTIME, and STATX_BTIME alone. */
    public static final int STATX_ALL_FIELDS = 0xfff, STATX_BTIME = 0x800;
    /** readdir's d_type. */
    public static final int DT_UNKNOWN = 0, DT_DIR = 4, DT_REG = 8, DT_LNK = 10;

    /** open(2) without O_CREAT (no mode). */
    public static native int open(byte[] path, int flags);
    public static native long read(int fd, Pointer buf, long count);
    public static native int close(int fd);
    /** struct stat into a long[18] (144 bytes): st_dev is word 0, st_ino word 1 on x86_64 and aarch64. */
    public static native int stat(byte[] path, long[] buf);
    /** stat(2) of the link itself; same layout. */
    public static native int lstat(byte[] path, long[] buf);
    /** struct statx is 256 bytes; see io.hostql.tables.files.FileStat for the offsets. */
    public static native int statx(int dirfd, byte[] path, int flags, int mask, byte[] statxbuf);
    /** The target is written to buf without a NUL; the result is its length, or -1. */
    public static native long readlink(byte[] path, Pointer buf, long size);
    public static native Pointer opendir(byte[] name);
    /** struct dirent (64-bit): d_ino @0, d_off @8, d_reclen @16, d_type @18, d_name @19. */
    public static native Pointer readdir(Pointer dirp);
    public static native int closedir(Pointer dirp);

    // ---- namespaces ----

    public static final int CLONE_FS = 0x200, CLONE_NEWNS = 0x20000;

    /** unshare(CLONE_FS) lets one thread of a multi-threaded process then setns into a mount namespace. */
    public static native int unshare(int flags);
    public static native int setns(int fd, int nstype);

    // ---- network: sockets, netlink, interfaces, name resolution ----

    public static final int AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10, AF_NETLINK = 16, AF_PACKET = 17;
    public static final int SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_RAW = 3, SOCK_CLOEXEC = 0x80000;
    public static final int IPPROTO_TCP = 6, IPPROTO_UDP = 17, IPPROTO_RAW = 255, SOL_IP = 0, NETLINK_ROUTE = 0;

    public static native int socket(int domain, int type, int protocol);
    /** optlen is a socklen_t in/out: int[1]. */
    public static native int getsockopt(int fd, int level, int optname, byte[] optval, int[] optlen);
    public static native long send(int fd, byte[] buf, long len, int flags);
    public static native long recv(int fd, byte[] buf, long len, int flags);
    /** ioctl with a pointer argument (struct ifreq in native memory). */
    public static native int ioctl(int fd, long request, Pointer arg);
    /** *ifap written to ifap[0]; walk the list with Pointer offsets, then freeifaddrs. */
    public static native int getifaddrs(long[] ifap);
    public static native void freeifaddrs(Pointer ifa);
    /** Writes the name (IF_NAMESIZE = 16 bytes) into ifname; null if no such index. */
    public static native Pointer if_indextoname(int ifindex, byte[] ifname);
    /** res receives the struct addrinfo* as res[0]; free it with freeaddrinfo. */
    public static native int getaddrinfo(byte[] node, Pointer service, byte[] hints, long[] res);
    public static native void freeaddrinfo(Pointer res);

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

    // ---- C strings in structures ----

    /** The UTF-8 text at b[off], up to the first NUL, max bytes or the end of b. */
    public static String cString(byte[] b, int off, int max) {
        int end = off;
        while (end < off + max && end < b.length && b[end] != 0) end++;
        return new String(b, off, end - off, java.nio.charset.StandardCharsets.UTF_8);
    }
}
