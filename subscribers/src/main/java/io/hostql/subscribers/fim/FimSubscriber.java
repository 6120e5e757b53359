package io.hostql.subscribers.fim;

import io.hostql.evented.EventStore;
import io.hostql.evented.EventedTables;
import io.hostql.events.EventType;
import io.hostql.events.FileEvent;
import io.hostql.events.Journal;
import io.hostql.events.JournalEntry;
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

    public FimSubscriber(Journal journal, EventStore store, long maxHashBytes) {
        super(NAME, journal, store);
        this.maxHashBytes = maxHashBytes;
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
        NativeFiles.Stat st = action.equals("DELETED") || action.equals("MOVED_FROM") ? null : NativeFiles.lstat(e.path());
        String md5 = null, sha1 = null, sha256 = null;
        int hashed = 0;
        boolean wantHash = (action.equals("CREATED") || action.equals("UPDATED"))
                && (e.flags() & FileEvent.ACCESS_CATEGORY) == 0 && st != null && st.regular();
        if (wantHash) {
            try {
                FileDigests.Result r = digests.hash(e.path(), maxHashBytes);
                if (r != null) {
                    md5 = r.md5();
                    sha1 = r.sha1();
                    sha256 = r.sha256();
                    hashed = 1;
                } else if (st.size() > maxHashBytes) {
                    hashed = -1;
                }
            } catch (Exception ex) {
                hashed = -1;
            }
        }
        out.add(EventedTables.FILE_EVENTS, new Object[] {e.path(), e.category(), action, (long) e.cookie() & 0xffffffffL,
                st == null ? null : st.inode(), st == null ? null : st.uid(), st == null ? null : st.gid(),
                st == null ? null : String.format("%04o", st.mode() & 07777), st == null ? null : st.size(),
                st == null ? null : st.atime(), st == null ? null : st.mtime(), st == null ? null : st.ctime(),
                md5, sha1, sha256, hashed, e.captureNanos() / 1_000_000_000L, null});
    }
}
