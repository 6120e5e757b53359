package io.hostql.subscribers.fim;

import io.hostql.evented.EventStore;
import io.hostql.evented.EventedTables;
import io.hostql.evented.Row;
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

    private static final Row.Layout FILE = Row.layout(EventedTables.FILE_EVENTS);
    private static final Row.Text TARGET_PATH = FILE.text("target_path"), CATEGORY = FILE.text("category"), ACTION = FILE.text("action"),
            MODE = FILE.text("mode"), MD5 = FILE.text("md5"), SHA1 = FILE.text("sha1"), SHA256 = FILE.text("sha256");
    private static final Row.Int TRANSACTION_ID = FILE.integer("transaction_id"), INODE = FILE.integer("inode"), UID = FILE.integer("uid"),
            GID = FILE.integer("gid"), SIZE = FILE.integer("size"), ATIME = FILE.integer("atime"), MTIME = FILE.integer("mtime"),
            CTIME = FILE.integer("ctime"), HASHED = FILE.integer("hashed"), TIME = FILE.integer("time");

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
        Row row = FILE.row().set(TARGET_PATH, e.path()).set(CATEGORY, e.category()).set(ACTION, action)
                .set(TRANSACTION_ID, e.cookie() & 0xffffffffL).set(HASHED, hashed).set(TIME, e.captureNanos() / 1_000_000_000L);
        if (st != null) {
            row.set(INODE, st.inode()).set(UID, st.uid()).set(GID, st.gid()).set(MODE, mode(st.mode())).set(SIZE, st.size())
                    .set(ATIME, st.atime()).set(MTIME, st.mtime()).set(CTIME, st.ctime());
        }
        if (hashes != null) row.set(MD5, hashes.md5()).set(SHA1, hashes.sha1()).set(SHA256, hashes.sha256());
        out.add(row);
    }

    /** Permission bits as osquery prints them: four octal digits. */
    static String mode(int mode) {
        String o = Integer.toOctalString(mode & 07777);
        return "0000".substring(o.length()) + o;
    }
}
