package io.hostql.publishers.inotify;

import io.hostql.publishers.inotify.PathBytes.Key;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Children reported by scans ({@link Watch#scanned}).
 *
 * <p>The race: a directory appears, gets its watch, and is scanned. A child created between
 * inotify_add_watch and the getdents that returns it is both in the scan and in the kernel queue. The
 * scan reports it first, so the kernel's IN_CREATE for a name the scan reported (and nothing removed
 * since) is that same creation. Creation holds the directory's lock until the event is queued, and
 * getdents takes that lock, so the event is queued before the scan ends: once a later read finds the
 * queue empty, it has been handled if it exists, and the names are forgotten (memory only: a name is
 * never a reason to drop anything but its one duplicate, and forgetting early could at worst let a
 * duplicate through, never lose a creation).
 */
final class ScannedNames {
    /** Names remembered at most; past it, a duplicate CREATED is possible. */
    private static final int MAX_SCANNED_NAMES = 65_536;

    /** Watches with {@link Watch#scanned} names, ordered by {@link Watch#scannedRead}. */
    private final LinkedHashSet<Watch> scannedWatches = new LinkedHashSet<>();
    private int scannedNames;

    int size() {
        return scannedNames;
    }

    /** Records that a scan during read number read reported name as created for category; false if it already was (and was not removed since). */
    boolean note(Watch w, byte[] name, String category, long read) {
        Key k = new Key(name);
        Set<String> categories = w.scanned == null ? null : w.scanned.get(k);
        if (categories != null && categories.contains(category)) return false;
        if (categories == null && scannedNames >= MAX_SCANNED_NAMES) return true; // bounded memory; a duplicate is possible
        if (w.scanned == null) w.scanned = new HashMap<>();
        if (categories == null) {
            w.scanned.put(k, Set.of(category));
            scannedNames++;
        } else {
            Set<String> more = new HashSet<>(categories);
            more.add(category);
            w.scanned.put(k, more);
        }
        w.scannedRead = read;
        scannedWatches.remove(w);
        scannedWatches.add(w);
        return true;
    }

    /** Removes name from w's scanned names; returns the categories it was reported for, or null. */
    Set<String> take(Watch w, byte[] name) {
        Set<String> categories = w.scanned.remove(new Key(name));
        if (categories != null) scannedNames--;
        if (w.scanned.isEmpty()) drop(w);
        return categories;
    }

    void drop(Watch w) {
        if (w.scanned == null) return;
        scannedNames -= w.scanned.size();
        w.scanned = null;
        scannedWatches.remove(w);
    }

    /** The queue was found empty by read number read: forgets the names recorded before it. */
    void expire(long read) {
        for (var it = scannedWatches.iterator(); it.hasNext(); ) {
            Watch w = it.next();
            if (w.scannedRead >= read) break;
            scannedNames -= w.scanned.size();
            w.scanned = null;
            it.remove();
        }
    }

    void clear() {
        for (Watch w : scannedWatches) w.scanned = null;
        scannedWatches.clear();
        scannedNames = 0;
    }
}
