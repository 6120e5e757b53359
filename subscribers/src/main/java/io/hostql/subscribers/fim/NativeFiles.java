package io.hostql.subscribers.fim;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import io.hostql.os.Libc;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;

/**
 * lstat and hashing by raw path bytes: Java's Path cannot name a file whose name is not valid in the
 * JVM's file-name encoding, and Linux names are arbitrary bytes. One open, one fstat, reads into
 * native memory: the FIM subscriber does this for every changed file.
 */
public final class NativeFiles {
    private NativeFiles() {}

    /** What FIM reports about a file (lstat semantics, as osquery's file table). */
    public record Stat(long dev, long inode, int mode, long uid, long gid, long size, long atime, long mtime, long ctime,
            long mtimeNanos, long ctimeNanos) {
        public boolean regular() {
            return (mode & Libc.S_IFMT) == Libc.S_IFREG;
        }

        /** Same file, same content as far as the kernel's times and size tell. */
        boolean sameVersion(Stat o) {
            return o != null && dev == o.dev && inode == o.inode && size == o.size && mtime == o.mtime
                    && mtimeNanos == o.mtimeNanos && ctime == o.ctime && ctimeNanos == o.ctimeNanos;
        }
    }

    /** lstat by path bytes, with or without the terminating NUL. */
    public static Stat lstat(byte[] path) {
        byte[] cpath = path.length > 0 && path[path.length - 1] == 0 ? path : Libc.cPath(path);
        byte[] buf = new byte[256];
        return Libc.lstat(cpath, buf) == 0 ? decode(buf) : null;
    }

    /** x86_64 and aarch64 struct stat layouts (glibc). */
    private static Stat decode(byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
        boolean arm = Platform.isARM();
        int mode = arm ? bb.getInt(16) : bb.getInt(24);
        long uid = (arm ? bb.getInt(24) : bb.getInt(28)) & 0xffffffffL;
        long gid = (arm ? bb.getInt(28) : bb.getInt(32)) & 0xffffffffL;
        return new Stat(bb.getLong(0), bb.getLong(8), mode, uid, gid, bb.getLong(48), bb.getLong(72), bb.getLong(88),
                bb.getLong(104), bb.getLong(96), bb.getLong(112));
    }

    /**
     * Opens the path (non-blocking, so a FIFO never hangs it; without updating its atime, which FIM
     * reports), fstats it and, if it is a regular file no larger than maxBytes, feeds its bytes to
     * the digests. Returns the stat of what was opened, or null if it cannot be opened; digested
     * tells whether the digests hold the file. One open, one fstat: the stat comes with the hash.
     */
    static Stat openAndDigest(byte[] cpath, long maxBytes, Memory buffer, boolean[] digested, MessageDigest... digests) {
        digested[0] = false;
        int fd = Libc.open(cpath, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_NOCTTY | Libc.O_CLOEXEC | Libc.O_NOATIME);
        if (fd < 0 && Native.getLastError() == Libc.EPERM) fd = Libc.open(cpath, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_NOCTTY | Libc.O_CLOEXEC);
        if (fd < 0) return null;
        try {
            byte[] st = new byte[256];
            if (Libc.fstat(fd, st) != 0) return null;
            Stat s = decode(st);
            if (!s.regular() || s.size() > maxBytes) return s;
            long total = 0;
            while (true) {
                long n = Libc.read(fd, buffer, buffer.size());
                if (n < 0) throw new IllegalStateException("read failed (errno " + Native.getLastError() + ")");
                if (n == 0) break;
                for (MessageDigest d : digests) d.update(buffer.getByteBuffer(0, n));
                total += n;
                if (total == s.size() && n < buffer.size()) break; // the whole file: skip the EOF read
            }
            digested[0] = true;
            return s;
        } finally {
            Libc.close(fd);
        }
    }
}
