package io.hostql.events;

import java.nio.charset.StandardCharsets;

/**
 * One inotify event (or one hostql synthesised after a rescan), as captured: the raw inotify mask,
 * the rename cookie, the absolute path as bytes (Linux paths need not be UTF-8) and the
 * {@code file_paths} category that matched.
 */
public record FileEvent(long captureNanos, int mask, int cookie, byte[] path, String category, int flags) implements Event {
    /** Reported by a scan (new directory, moved-in tree, overflow rescan), not by the kernel. */
    public static final int SYNTHETIC = 1;
    /** The category is in file_accesses: osquery does not hash those. */
    public static final int ACCESS_CATEGORY = 2;

    // inotify(7) bits.
    public static final int IN_ACCESS = 0x1, IN_MODIFY = 0x2, IN_ATTRIB = 0x4, IN_CLOSE_WRITE = 0x8,
            IN_CLOSE_NOWRITE = 0x10, IN_OPEN = 0x20, IN_MOVED_FROM = 0x40, IN_MOVED_TO = 0x80, IN_CREATE = 0x100,
            IN_DELETE = 0x200, IN_DELETE_SELF = 0x400, IN_MOVE_SELF = 0x800, IN_UNMOUNT = 0x2000,
            IN_Q_OVERFLOW = 0x4000, IN_IGNORED = 0x8000, IN_ISDIR = 0x40000000;

    @Override
    public EventType type() {
        return EventType.FILE;
    }

    @Override
    public void encode(RecordOutput out) {
        out.writeInt(mask).writeInt(cookie).writeBytes(path).writeString(category).writeInt(flags);
    }

    public static FileEvent decode(long captureNanos, RecordInput in) {
        return new FileEvent(captureNanos, in.readInt(), in.readInt(), in.readBytes(), in.readString(), in.readInt());
    }

    public String pathText() {
        return new String(path, StandardCharsets.UTF_8);
    }

    public boolean isDirectory() {
        return (mask & IN_ISDIR) != 0;
    }

    /**
     * osquery's action: the first matching bit in ascending order, so a close-after-write reads UPDATED
     * and a rename half reads MOVED_FROM / MOVED_TO. Null for bits osquery does not report.
     */
    public String action() {
        if ((mask & IN_ACCESS) != 0) return "ACCESSED";
        if ((mask & IN_MODIFY) != 0) return "UPDATED";
        if ((mask & IN_ATTRIB) != 0) return "ATTRIBUTES_MODIFIED";
        if ((mask & IN_CLOSE_WRITE) != 0) return "UPDATED";
        if ((mask & IN_OPEN) != 0) return "OPENED";
        if ((mask & IN_MOVED_FROM) != 0) return "MOVED_FROM";
        if ((mask & IN_MOVED_TO) != 0) return "MOVED_TO";
        if ((mask & IN_CREATE) != 0) return "CREATED";
        if ((mask & IN_DELETE) != 0) return "DELETED";
        return null;
    }
}
