package io.hostql.publishers.inotify;

import static io.hostql.events.FileEvent.IN_ACCESS;
import static io.hostql.events.FileEvent.IN_ATTRIB;
import static io.hostql.events.FileEvent.IN_CLOSE_WRITE;
import static io.hostql.events.FileEvent.IN_CREATE;
import static io.hostql.events.FileEvent.IN_DELETE;
import static io.hostql.events.FileEvent.IN_MODIFY;
import static io.hostql.events.FileEvent.IN_MOVED_FROM;
import static io.hostql.events.FileEvent.IN_MOVED_TO;
import static io.hostql.events.FileEvent.IN_OPEN;

import io.hostql.publishers.inotify.PathBytes.Key;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** One watched directory: its watch descriptor, path, mask, and the rules (patterns) it is watched for. */
final class Watch {
    /** osquery's default file_events mask. */
    static final int DEFAULT_MASK = IN_MOVED_TO | IN_MOVED_FROM | IN_MODIFY | IN_DELETE | IN_CREATE | IN_CLOSE_WRITE | IN_ATTRIB;
    /** Added for categories listed in file_accesses. */
    static final int ACCESS_MASK = IN_OPEN | IN_ACCESS;
    /** What a directory on the way to a configured path is watched for: something appearing or leaving. */
    static final int NAV_MASK = IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE;

    /** What a watch is for: content (children matching {@code matcher} are reported) or navigation. */
    record Rule(FilePattern pattern, boolean content, Component matcher) {
        int mask() {
            return content ? DEFAULT_MASK | (pattern.access ? ACCESS_MASK : 0) : NAV_MASK;
        }
    }

    final int wd;
    final byte[] path;
    final byte[][] comps;
    final Key key;
    final boolean follow;
    final int createdPass;
    int mask;
    int checkedPass;
    LinkedHashSet<Rule> rules = new LinkedHashSet<>();
    Set<Key> excludedChildren = Set.of();
    /**
     * Children a scan of this directory reported as created (name to categories) while the kernel may
     * still hold its own IN_CREATE for them: a child created after the watch was placed and before the
     * scan read the directory is seen by both. That IN_CREATE is then not published again, nor is the
     * child reported twice when two patterns of one category scan the directory. A removal of the name
     * ends its entry, so a later creation is reported. Null when empty.
     */
    Map<Key, Set<String>> scanned;
    /** The read during which names were last added to {@link #scanned}. */
    long scannedRead;

    Watch(int wd, byte[] path, byte[][] comps, Key key, boolean follow, int mask, int pass) {
        this.wd = wd;
        this.path = path;
        this.comps = comps;
        this.key = key;
        this.follow = follow;
        this.mask = mask;
        this.createdPass = pass;
        this.checkedPass = pass;
    }

    boolean hasRuleFor(FilePattern p) {
        for (Rule r : rules) if (r.pattern == p) return true;
        return false;
    }

    static int maskOf(Set<Rule> rules) {
        int m = 0;
        for (Rule r : rules) m |= r.mask();
        return m;
    }
}
