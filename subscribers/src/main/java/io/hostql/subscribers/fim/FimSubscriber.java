package io.hostql.subscribers.fim;

import io.hostql.evented.EventStore;
import io.hostql.evented.EventedTables;
import io.hostql.events.EventType;
import io.hostql.events.FileEvent;
import io.hostql.events.Journal;
import io.hostql.events.JournalEntry;
import io.hostql.os.Libc;
import io.hostql.subscribers.Subscriber;
import java.util.Set;

/**
 * file_events: each inotify event, decorated as osquery does when the row is made: the file's
 * current lstat (if it still exists) and, for CREATED and UPDATED of a regular file outside an
 * access-monitored category, its MD5/SHA-1/SHA-256 (hashed = 1, or -1 when hashing failed).
 */
public final class FimSubscriber extends Subscriber {
    public static final String NAME = "file_events";

    private final long maxHashBytes;
    private final FileDigests digests = new FileDigests();
    /**
     * Within one batch, a path is stat'ed and hashed once: a write makes CREATED, UPDATED (modify)
     * and UPDATED (close) together, and all three rows report the file as it is now anyway.
     */
    private final java.util.Map<java.nio.ByteBuffer, Known> batchCache = new java.util.HashMap<>();

    private record Known(NativeFiles.Stat stat, FileDigests.Result hashes, int hashed) {}

    public FimSubscriber(Journal journal, EventStore store, long maxHashBytes) {
        super(NAME, journal, store);
        this.maxHashBytes = maxHashBytes;
    }

    @Override
    protected void batchStarted() {
        batchCache.clear();
    }

    @Override
    protected Set<EventType> types() {
        return Set.of(EventType.FILE);
    }

    @Override
    protected void handle(JournalEntry entry, Rows out) {
        if (!(entry.event() instanceof FileEvent e)) return;
        String action = e.action();
        if (action == null) return;
        boolean gone = action.equals("DELETED") || action.equals("MOVED_FROM");
        java.nio.ByteBuffer key = java.nio.ByteBuffer.wrap(e.path());
        byte[] cpath = Libc.cPath(e.path());
        Known known = gone ? null : batchCache.get(key);
        boolean hashable = (action.equals("CREATED") || action.equals("UPDATED")) && (e.flags() & FileEvent.ACCESS_CATEGORY) == 0;
        NativeFiles.Stat st = known != null ? known.stat() : null;
        FileDigests.Result hashes = known != null ? known.hashes() : null;
        int hashed = known != null ? known.hashed() : 0;
        if (!gone && (known == null || (hashable && hashed == 0 && st != null && st.regular()))) {
            if (hashable) {
                // One open gives both the stat (following the file, as osquery's file table) and the hashes.
                try {
                    FileDigests.Opened o = digests.open(cpath, maxHashBytes);
                    st = o != null ? o.stat() : NativeFiles.lstat(cpath);
                    hashes = o == null ? null : o.hashes();
                    hashed = hashes != null ? 1 : st != null && st.regular() ? -1 : 0;
                } catch (RuntimeException ex) {
                    hashed = -1;
                }
            } else {
                st = NativeFiles.lstat(cpath);
            }
        }
        if (!hashable) {
            hashes = null;
            hashed = 0;
        }
        if (!gone && st != null && (known == null || hashable)) batchCache.put(key, new Known(st, hashes, hashed));
        if (gone) batchCache.remove(key);
        out.add(EventedTables.FILE_EVENTS, new Object[] {e.path(), e.category(), action, (long) e.cookie() & 0xffffffffL,
                st == null ? null : st.inode(), st == null ? null : st.uid(), st == null ? null : st.gid(),
                st == null ? null : mode(st.mode()), st == null ? null : st.size(),
                st == null ? null : st.atime(), st == null ? null : st.mtime(), st == null ? null : st.ctime(),
                hashes == null ? null : hashes.md5(), hashes == null ? null : hashes.sha1(),
                hashes == null ? null : hashes.sha256(), hashed, e.captureNanos() / 1_000_000_000L, null});
    }

    /** Permission bits as osquery prints them: four octal digits. */
    static String mode(int mode) {
        String o = Integer.toOctalString(mode & 07777);
        return "0000".substring(o.length()) + o;
    }
}
