package io.hostql.tables.files;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import io.hostql.os.Libc;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** One statx(2) result. Birth time is 0 where the filesystem does not record it. */
public record FileStat(
        long ino, long uid, long gid, int mode, long nlink, long size, long blockSize,
        long atime, long mtime, long ctime, long btime, long dev, long rdev) {

    /** stat(2): follows symlinks. Null on failure; {@link Native#getLastError()} has the errno. */
    public static FileStat stat(FilePath path) {
        return statx(Libc.AT_FDCWD, path.cstr(), 0);
    }

    /** lstat(2): a symlink itself. Null on failure. */
    public static FileStat lstat(FilePath path) {
        return statx(Libc.AT_FDCWD, path.cstr(), Libc.AT_SYMLINK_NOFOLLOW);
    }

    /** fstat(2) on an open descriptor. Null on failure. */
    public static FileStat fstat(int fd) {
        return statx(fd, new byte[1], Libc.AT_EMPTY_PATH);
    }

    private static FileStat statx(int dirfd, byte[] path, int flags) {
        byte[] buf = new byte[256];
        if (Libc.statx(dirfd, path, flags, Libc.STATX_ALL_FIELDS, buf) != 0) return null;
        ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder());
        int mask = b.getInt(0);
        long btime = (mask & Libc.STATX_BTIME) != 0 ? b.getLong(80) : 0;
        return new FileStat(
                b.getLong(32), u32(b.getInt(20)), u32(b.getInt(24)), b.getShort(28) & 0xffff, u32(b.getInt(16)),
                b.getLong(40), u32(b.getInt(4)), b.getLong(64), b.getLong(112), b.getLong(96), btime,
                makedev(b.getInt(136), b.getInt(140)), makedev(b.getInt(128), b.getInt(132)));
    }

    /** readlink(2): a symlink's target as stored, or null. */
    public static byte[] readlink(FilePath path) {
        byte[] c = path.cstr();
        for (int size = 4096; size <= 1 << 20; size *= 4) {
            try (Memory buf = new Memory(size)) {
                long n = Libc.readlink(c, buf, size);
                if (n < 0) return null;
                if (n < size) return buf.getByteArray(0, (int) n);
            }
        }
        return null;
    }

    private static long u32(int v) {
        return v & 0xffffffffL;
    }

    /** glibc's makedev, so device numbers read as st_dev/st_rdev would. */
    static long makedev(int major, int minor) {
        long ma = u32(major), mi = u32(minor);
        return ((ma & 0xfffff000L) << 32) | ((ma & 0xfffL) << 8) | ((mi & 0xffffff00L) << 12) | (mi & 0xffL);
    }

    public int type() {
        return mode & Libc.S_IFMT;
    }

    public boolean isRegular() {
        return type() == Libc.S_IFREG;
    }

    public boolean isDirectory() {
        return type() == Libc.S_IFDIR;
    }

    public boolean isSymlink() {
        return type() == Libc.S_IFLNK;
    }

    /** osquery's file type names (boost::filesystem's). */
    public String typeName() {
        switch (type()) {
            case Libc.S_IFREG: return "regular";
            case Libc.S_IFDIR: return "directory";
            case Libc.S_IFLNK: return "symlink";
            case Libc.S_IFBLK: return "block";
            case Libc.S_IFCHR: return "character";
            case Libc.S_IFIFO: return "fifo";
            case Libc.S_IFSOCK: return "socket";
            default: return "unknown";
        }
    }

    /** osquery's lsperms: the permission and set-id bits as four octal digits, e.g. "0644", "4755". */
    public String permissions() {
        return lsperms(mode);
    }

    /** osquery's lsperms of a mode word: a st_mode, an rpm header's file mode, an IPC object's. */
    public static String lsperms(int mode) {
        int p = mode & 07777;
        return new String(new char[] {
            (char) ('0' + ((p >> 9) & 7)), (char) ('0' + ((p >> 6) & 7)), (char) ('0' + ((p >> 3) & 7)), (char) ('0' + (p & 7))});
    }
}
