package io.hostql.publishers.inotify;

import io.hostql.os.Libc;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.List;

/**
 * What the watch tree asks the kernel: watches on one inotify instance, and directories read as bytes.
 * An interface so the planning of watches can be tested with no kernel.
 */
interface Directories {
    record Entry(byte[] name, int type) {}

    /** inotify_add_watch: the watch descriptor, or minus the errno. */
    int addWatch(byte[] dir, int flags);

    void removeWatch(int wd);

    boolean isDirectory(byte[] path);

    /** The entries of a directory (without . and ..), or null if it cannot be read. */
    List<Entry> list(byte[] dir);

    /** The real thing, through libc, on inotify descriptor fd. */
    static Directories of(int fd) {
        return new Directories() {
            @Override
            public int addWatch(byte[] dir, int flags) {
                int wd = Libc.inotify_add_watch(fd, Libc.cPath(dir), flags);
                return wd < 0 ? -Native.getLastError() : wd;
            }

            @Override
            public void removeWatch(int wd) {
                Libc.inotify_rm_watch(fd, wd);
            }

            @Override
            public boolean isDirectory(byte[] path) {
                Pointer d = Libc.opendir(Libc.cPath(path));
                if (d == null) return false;
                Libc.closedir(d);
                return true;
            }

            @Override
            public List<Entry> list(byte[] dir) {
                Pointer d = Libc.opendir(Libc.cPath(dir));
                if (d == null) return null;
                try {
                    List<Entry> out = new ArrayList<>();
                    for (Pointer e; (e = Libc.readdir(d)) != null; ) {
                        int len = 0;
                        while (e.getByte(Libc.DIRENT_NAME + len) != 0) len++;
                        byte[] name = e.getByteArray(Libc.DIRENT_NAME, len);
                        if (len == 1 && name[0] == '.' || len == 2 && name[0] == '.' && name[1] == '.') continue;
                        out.add(new Entry(name, e.getByte(Libc.DIRENT_TYPE) & 0xff));
                    }
                    return out;
                } finally {
                    Libc.closedir(d);
                }
            }
        };
    }
}
