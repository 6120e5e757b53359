package io.hostql.publishers.audit;

import io.hostql.events.AuditRecordsEvent;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Groups raw kernel records into events by serial, undecoded: a syscall event starts with SYSCALL and
 * ends with EOE; records of different events interleave when several CPUs audit at once. Each group's
 * records are packed as {@link AuditRecordsEvent} lays them out with {@link AuditRecordsEvent#SHARED_STAMP}:
 * the group's {@code audit(...):} stamp once, and of each record the text after it. Of a group whose syscall
 * is known, only the records its event is built from are kept ({@link EventBuilder#reads}). A group whose EOE has
 * not come after the timeout, or the oldest when {@code maxOpen} are open, is handed over as incomplete.
 * Bounded: at most {@code maxOpen} groups of at most {@link #MAX_GROUP_BYTES} each, what one journal record holds; an exec
 * with more arguments than that keeps its first EXECVE records and the ones after them (CWD, PATH, PROCTITLE), and comes out
 * {@link AuditRecordsEvent#TRUNCATED} with the bytes cut. Single-threaded (the reader's).
 */
final class RawGroups {
    /**
     * Receives finished groups: the packed records (a fresh array), their {@link AuditRecordsEvent} flags (COMPLETE when
     * EOE closed them, TRUNCATED when records were cut), their syscall's name (null when their SYSCALL never came) and the
     * bytes of record text cut (0 when whole).
     */
    interface Sink {
        void group(byte[] records, int flags, String syscall, long cutBytes);
    }

    /**
     * What one journal record holds (1 MiB less its framing). An exec with a full ARG_MAX of arguments is about 2.6 MB of
     * hex EXECVE records: beyond {@link #MAX_ARGS_BYTES} its further EXECVE records are cut, and beyond this any record.
     */
    static final int MAX_GROUP_BYTES = AuditRecordsEvent.MAX_RECORDS_BYTES;
    /**
     * Where an exec's EXECVE records stop: the rest is kept for the records that follow them (CWD, PATH, PROCTITLE, each at
     * most 8970 bytes: 7 fit), so the event keeps its working directory, its file's mode and owner.
     */
    static final int MAX_ARGS_BYTES = MAX_GROUP_BYTES - (64 << 10);
    private static final int FLAGS = AuditRecordsEvent.SHARED_STAMP;
    /** The kernel's stamps are at most 53 bytes (two 20-digit numbers); a longer one is not shared (it fits the first buffer). */
    private static final int MAX_STAMP = 256;

    /** Finished groups kept for reuse, with their buffer when it is at most this big: an event then allocates neither. */
    private static final int POOL = 64, POOLED_BUFFER = 16 << 10;

    private static final class Group {
        byte[] buf = new byte[512];
        int len;
        /** The group's stamp: {@code buf[2, 2 + stampLength)}; -1 until the first record sets it, 0 when it had none. */
        int stampLength = -1;
        /** When its first record came (set by {@link #reuse}, for a new group too). */
        long started;
        /** The syscall's name, from the reader's scan of the SYSCALL record. */
        String syscall;
        boolean hasSyscall;
        /** A SYSCALL for a syscall hostql does not report: drop the rest as it arrives. */
        boolean ignored;
        /** Bytes of record text cut at the bounds; once an EXECVE record was cut, every later one is (no gap in the arguments). */
        long cutBytes;
        boolean argsCut;

        /** The group, empty, for an event that started now: a new group or a pooled one. */
        Group reuse(long now) {
            len = 0;
            stampLength = -1;
            started = now;
            syscall = null;
            hasSyscall = false;
            ignored = false;
            cutBytes = 0;
            argsCut = false;
            return this;
        }
    }

    private final Sink sink;
    private final long timeoutNanos;
    private final int maxOpen;
    private final LinkedHashMap<Long, Group> open = new LinkedHashMap<>();
    private final ArrayDeque<Group> pool = new ArrayDeque<>();
    /** The group the last record went to: an event's records mostly come one after the other (no boxed lookup for them). */
    private Group last;
    private long lastSerial;
    /** Incomplete groups handed over early because maxOpen were open, not yet taken by {@link #takeEvicted}. */
    private int evicted;

    RawGroups(Sink sink, long timeoutNanos, int maxOpen) {
        this.sink = sink;
        this.timeoutNanos = timeoutNanos;
        this.maxOpen = maxOpen;
    }

    /**
     * A record of a syscall event (types 1300-2099), its text in {@code text[0, len)}; for a SYSCALL
     * record, {@code wanted} says whether hostql reports it and {@code syscall} is its name.
     */
    void add(int type, long serial, byte[] text, int len, boolean wanted, String syscall, long now) {
        Group g = last != null && lastSerial == serial ? last : open.get(serial);
        if (type == EventBuilder.EOE) {
            if (g != null) {
                open.remove(serial);
                last = null;
                if (!g.ignored && g.len > 0) hand(g, AuditRecordsEvent.COMPLETE);
                recycle(g);
            }
            return;
        }
        if (g == null) {
            if (open.size() >= maxOpen) evicted += expireOldest();
            Group pooled = pool.pollFirst();
            g = (pooled != null ? pooled : new Group()).reuse(now);
            open.put(serial, g);
        }
        last = g;
        lastSerial = serial;
        if (g.ignored) return;
        if (type == EventBuilder.SYSCALL) {
            if (!wanted) {
                g.ignored = true;
                g.buf = null;
                return;
            }
            g.hasSyscall = true;
            g.syscall = syscall;
        } else if (!EventBuilder.reads(g.syscall, type)) {
            return;
        }
        append(g, type, text, len);
    }

    private void append(Group g, int type, byte[] text, int len) {
        if (g.stampLength < 0) { // the first record: its stamp becomes the group's
            int s = RecordFraming.stampLength(text, len);
            if (s < 0 || s > MAX_STAMP) s = 0; // none (or not the kernel's): each record keeps its own text
            g.buf[0] = (byte) s;
            g.buf[1] = (byte) (s >>> 8);
            System.arraycopy(text, 0, g.buf, 2, s);
            g.stampLength = s;
            g.len = 2 + s;
        }
        int s = g.stampLength;
        int from = 0;
        if (s > 0 && len >= s && Arrays.equals(text, 0, s, g.buf, 2, 2 + s)) from = s; // same bytes: the same stamp
        else type |= AuditRecordsEvent.OWN_STAMP;
        len = Math.min(len - from, 0xffff); // the layout's u16 (the kernel's records are at most 8970 bytes)
        boolean args = (type & ~AuditRecordsEvent.OWN_STAMP) == EventBuilder.EXECVE;
        if (args && (g.argsCut || g.len + 4 + len > MAX_ARGS_BYTES) || g.len + 4 + len > MAX_GROUP_BYTES) {
            g.argsCut |= args;
            g.cutBytes += len;
            return;
        }
        if (g.len + 4 + len > g.buf.length) g.buf = Arrays.copyOf(g.buf, Math.max(g.buf.length * 2, g.len + 4 + len));
        byte[] b = g.buf;
        int p = g.len;
        b[p] = (byte) type;
        b[p + 1] = (byte) (type >>> 8);
        b[p + 2] = (byte) len;
        b[p + 3] = (byte) (len >>> 8);
        System.arraycopy(text, from, b, p + 4, len);
        g.len = p + 4 + len;
    }

    /** Hands over groups older than the timeout; returns how many had a SYSCALL (counted as incomplete). */
    int expire(long now) {
        last = null;
        int n = 0;
        for (Iterator<Map.Entry<Long, Group>> it = open.entrySet().iterator(); it.hasNext(); ) {
            Group g = it.next().getValue();
            if (now - g.started < timeoutNanos) break; // insertion order: the rest are younger
            it.remove();
            if (finishIncomplete(g)) n++;
        }
        return n;
    }

    /** Everything still open, as at shutdown; returns how many had a SYSCALL. */
    int flush() {
        last = null;
        int n = 0;
        for (Group g : open.values()) if (finishIncomplete(g)) n++;
        open.clear();
        return n;
    }

    /** The oldest group, handed over to make room; returns 1 when it had a SYSCALL. */
    int expireOldest() {
        last = null;
        Iterator<Map.Entry<Long, Group>> it = open.entrySet().iterator();
        if (!it.hasNext()) return 0;
        Group g = it.next().getValue();
        it.remove();
        return finishIncomplete(g) ? 1 : 0;
    }

    private boolean finishIncomplete(Group g) {
        boolean published = !g.ignored && g.hasSyscall;
        if (published) hand(g, 0);
        recycle(g);
        return published;
    }

    /** A finished group's records to the sink, flagged TRUNCATED when some were cut. */
    private void hand(Group g, int flags) {
        if (g.cutBytes > 0) flags |= AuditRecordsEvent.TRUNCATED;
        sink.group(Arrays.copyOf(g.buf, g.len), FLAGS | flags, g.syscall, g.cutBytes);
    }

    /** A finished group back to the pool (its records were copied out), unless the pool is full or its buffer large or gone. */
    private void recycle(Group g) {
        if (g.buf != null && g.buf.length <= POOLED_BUFFER && pool.size() < POOL) pool.addFirst(g);
    }

    int takeEvicted() {
        int n = evicted;
        evicted = 0;
        return n;
    }

    int openCount() {
        return open.size();
    }
}
