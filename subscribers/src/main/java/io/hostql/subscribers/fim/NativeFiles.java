package io.hostql.subscribers.fim;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * lstat and open by raw path bytes: Java's Path cannot name a file whose name is not valid in the
 * JVM's file-name encoding, and Linux names are arbitrary bytes.
 */
public final class NativeFiles {
    static {
        Native.register(NativeFiles.class, Platform.C_LIBRARY_NAME);
    }

    private static final int O_RDONLY = 0, O_NONBLOCK = 0x800, O_NOCTTY = 0x100, O_CLOEXEC = 0x80000;
    static final int S_IFMT = 0170000, S_IFREG = 0100000;

    private NativeFiles() {}

    private static native int lstat(byte[] path, byte[] buf);
    private static native int fstat(int fd, byte[] buf);
    private static native int open(byte[] path, int flags);
    private static native int close(int fd);

    /** What FIM reports about a file (lstat semantics, as osquery's file table). */
    public record Stat(long dev, long inode, int mode, long uid, long gid, long size, long atime, long mtime, long ctime) {
        public boolean regular() {
            return (mode & S_IFMT) == S_IFREG;
        }
    }

    public static Stat lstat(byte[] path) {
        byte[] buf = new byte[256];
        return lstat(cstr(path), buf) == 0 ? decode(buf) : null;
    }

    /** x86_64 and aarch64 struct stat layouts (glibc). */
    private static Stat decode(byte[] b) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
        if (Platform.isARM()) {
            return new Stat(bb.getLong(0), bb.getLong(8), bb.getInt(16), bb.getInt(24) & 0xffffffffL, bb.getInt(28) & 0xffffffffL,
                    bb.getLong(48), bb.getLong(72), bb.getLong(88), bb.getLong(104));
        }
        return new Stat(bb.getLong(0), bb.getLong(8), bb.getInt(24), bb.getInt(28) & 0xffffffffL, bb.getInt(32) & 0xffffffffL,
                bb.getLong(48), bb.getLong(72), bb.getLong(88), bb.getLong(104));
    }

    /**
     * Opens a regular file for reading, without blocking on a FIFO or becoming a controlling tty;
     * null if it is not a regular file (anymore). The channel is opened through /proc/self/fd.
     */
    static FileChannel openRegular(byte[] path) throws IOException {
        int fd = open(cstr(path), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0) throw new IOException("cannot open (errno " + Native.getLastError() + ")");
        try {
            byte[] buf = new byte[256];
            if (fstat(fd, buf) != 0 || !decode(buf).regular()) return null;
            return FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ);
        } finally {
            close(fd);
        }
    }

    private static byte[] cstr(byte[] path) {
        byte[] c = new byte[path.length + 1];
        System.arraycopy(path, 0, c, 0, path.length);
        return c;
    }
}
