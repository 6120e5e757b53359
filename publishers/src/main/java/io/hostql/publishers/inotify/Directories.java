package io.hostql.publishers.inotify;

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
                int wd = InotifyLibc.inotify_add_watch(fd, InotifyLibc.cString(dir), flags);
                return wd < 0 ? -Native.getLastError() : wd;
            }

            @Override
            public void removeWatch(int wd) {
                InotifyLibc.inotify_rm_watch(fd, wd);
            }

            @Override
            public boolean isDirectory(byte[] path) {
                Pointer d = InotifyLibc.opendir(InotifyLibc.cString(path));
                if (d == null) return false;
                InotifyLibc.closedir(d);
                return true;
            }

            @Override
            public List<Entry> list(byte[] dir) {
                Pointer d = InotifyLibc.opendir(InotifyLibc.cString(dir));
                if (d == null) return null;
                try {
                    List<Entry> out = new ArrayList<>();
                    for (Pointer e; (e = InotifyLibc.readdir(d)) != null; ) {
                        int len = 0;
                        while (e.getByte(InotifyLibc.DIRENT_NAME + len) != 0) len++;
                        byte[] name = e.getByteArray(InotifyLibc.DIRENT_NAME, len);
                        if (len == 1 && name[0] == '.' || len == 2 && name[0] == '.' && name[1] == '.') continue;
                        out.add(new Entry(name, e.getByte(InotifyLibc.DIRENT_TYPE) & 0xff));
                    }
                    return out;
                } finally {
                    InotifyLibc.closedir(d);
                }
            }
        };
    }
}
