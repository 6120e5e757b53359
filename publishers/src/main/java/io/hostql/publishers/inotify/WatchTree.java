package io.hostql.publishers.inotify;

import io.hostql.os.Libc;
import static io.hostql.events.FileEvent.IN_DELETE_SELF;
import static io.hostql.events.FileEvent.IN_MOVE_SELF;

import io.hostql.config.osquery.FileMonitoring;
import io.hostql.publishers.inotify.Directories.Entry;
import io.hostql.publishers.inotify.PathBytes.Key;
import io.hostql.publishers.inotify.Watch.Rule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plan of watches for file_paths: which directories get a watch, for which patterns, with which mask.
 * Excluded paths never get one; a configured path that does not exist yet is waited for on its nearest
 * existing ancestor; a directory that appears in a recursive tree is watched at once and its contents
 * reported (through {@link Listener#created}). It asks the kernel only through {@link Directories}, so it
 * is tested with no kernel. Owned by one thread (the publisher's).
 */
final class WatchTree {
    private static final Logger log = LoggerFactory.getLogger(WatchTree.class);
    private static final int WATCH_FLAGS = IN_DELETE_SELF | IN_MOVE_SELF | Libc.IN_ONLYDIR | Libc.IN_EXCL_UNLINK;

    enum Mode {
        /** Place watches; report nothing (start, reconfigure: osquery reports no existing files either). */
        QUIET,
        /** Something appeared: report the contents of directories that got a new watch. */
        NEW,
        /** After an overflow: re-place every watch and report every file. */
        RESCAN
    }

    /** What the tree tells its publisher. */
    interface Listener {
        /** A child found by a scan of w's directory (w null: not watched), to report as created. */
        void created(Watch w, byte[] name, FilePattern p, byte[] path, boolean dir);

        /** A pass ran out of watches (ENOSPC): count directories are not watched, first among them. */
        void ranOut(int count, byte[] first);
    }

    record Compiled(List<FilePattern> patterns, ExcludeSet excludes) {}

    private final class Pass {
        final Mode mode;
        final int id = ++passCounter;
        /** In a reconcile pass: the complete new rules per directory, applied at the end. */
        final Map<Key, LinkedHashSet<Rule>> rules;
        int enospc;
        byte[] firstEnospc;

        Pass(Mode mode, boolean reconcile) {
            this.mode = mode;
            this.rules = reconcile ? new HashMap<>() : null;
        }
    }

    private final Directories dirs;
    private final Listener listener;
    private final BooleanSupplier closing;
    final ScannedNames scanned = new ScannedNames();
    private volatile Compiled compiled;
    private final Map<Integer, Watch> byWd = new HashMap<>();
    private final TreeMap<Key, Watch> byPath = new TreeMap<>();
    private final Set<Key> warnedPaths = new HashSet<>();
    private int passCounter;
    /** Written by the owner thread only; read by status. */
    private volatile long watchErrors;
    private volatile int active;
    /** Test hook: runs right after a directory gets a new watch, before it is scanned. */
    volatile Consumer<String> newWatchHook;

    WatchTree(Directories dirs, Compiled compiled, Listener listener, BooleanSupplier closing) {
        this.dirs = dirs;
        this.compiled = compiled;
        this.listener = listener;
        this.closing = closing;
    }

    /** The patterns and excludes of a file_paths configuration; problems are logged, and what is valid is kept. */
    static Compiled compile(FileMonitoring cfg) {
        List<String> problems = new ArrayList<>();
        List<FilePattern> patterns = new ArrayList<>();
        new TreeMap<>(cfg.filePaths()).forEach((category, list) -> {
            boolean access = cfg.fileAccesses().contains(category);
            for (String text : list) {
                FilePattern p = FilePattern.compile(category, text, access, problems);
                if (p != null) patterns.add(p);
            }
        });
        ExcludeSet excludes = ExcludeSet.compile(cfg.excludePaths(), problems);
        for (String a : new TreeSet<>(cfg.fileAccesses())) {
            if (!cfg.filePaths().containsKey(a)) problems.add("file_accesses names category '" + a + "', which is not in file_paths; ignored");
        }
        for (String p : problems) log.warn("inotify: {}", p);
        return new Compiled(List.copyOf(patterns), excludes);
    }

    /** A new configuration, applied by the next {@link #reconcile}. */
    void configure(Compiled next) {
        compiled = next;
    }

    List<FilePattern> patterns() {
        return compiled.patterns();
    }

    Watch byWd(int wd) {
        return byWd.get(wd);
    }

    Watch byPath(byte[] dir) {
        return byPath.get(new Key(dir));
    }

    /** Watches placed now (read from any thread). */
    int size() {
        return active;
    }

    long watchErrors() {
        return watchErrors;
    }

    /** The directories watched now (for content or on the way to a configured path). */
    Set<String> directories() {
        Set<String> out = new TreeSet<>();
        for (Key k : byPath.keySet()) out.add(k.toString());
        return out;
    }

    /** The descriptor is closed: every watch is gone with it. */
    void clear() {
        byWd.clear();
        byPath.clear();
        scanned.clear();
        active = 0;
    }

    /** Walks every pattern from the root and makes the watches match exactly; removes the rest. */
    void reconcile(Mode mode) {
        Compiled c = compiled;
        Pass pass = new Pass(mode, true);
        for (FilePattern p : c.patterns()) {
            if (closing.getAsBoolean()) return;
            plan(p, PathBytes.ROOT, PathBytes.NO_COMPONENTS, pass, true);
        }
        if (closing.getAsBoolean()) return;
        for (Watch w : new ArrayList<>(byPath.values())) {
            LinkedHashSet<Rule> rules = pass.rules.get(w.key);
            if (rules == null) {
                forget(w);
                dirs.removeWatch(w.wd);
                continue;
            }
            w.rules = rules;
            w.excludedChildren = c.excludes().excludedChildren(w.comps);
            int m = Watch.maskOf(rules);
            if (m != w.mask) place(w.path, w.comps, w.key, m, pass, w.follow);
        }
        finishPass(pass);
    }

    /** A directory appeared in a watched one (created or moved in): watch it and what is inside, report its contents. */
    void newDirectory(Watch w, byte[] name, byte[] path) {
        byte[][] comps = PathBytes.append(w.comps, name);
        Pass pass = new Pass(Mode.NEW, false);
        Set<FilePattern> done = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Rule r : List.copyOf(w.rules)) {
            if (done.add(r.pattern()) && r.pattern().prefixMatches(comps)) plan(r.pattern(), path, comps, pass, false);
        }
        finishPass(pass);
    }

    /**
     * A watch is gone (directory deleted, moved away, unmounted). If nothing above it will see the path
     * come back, watch the nearest existing ancestor for it (or, if it is already back, descend at once).
     */
    void lost(Watch w, boolean moved) {
        if (moved) removeSubtree(w.path, true);
        else forget(w);
        byte[] parent = PathBytes.parent(w.path);
        Watch pw = parent == null ? null : byPath.get(new Key(parent));
        Pass pass = new Pass(Mode.NEW, false);
        Set<FilePattern> done = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Rule r : w.rules) {
            FilePattern p = r.pattern();
            if (!done.add(p) || (pw != null && pw.hasRuleFor(p))) continue;
            byte[] a = parent;
            while (a != null && !dirs.isDirectory(a)) a = PathBytes.parent(a);
            if (a != null) plan(p, a, PathBytes.components(a), pass, true);
        }
        finishPass(pass);
    }

    /** Places what the pattern needs at this directory (which matches the pattern's first components) and below. */
    private void plan(FilePattern p, byte[] dir, byte[][] comps, Pass pass, boolean follow) {
        if (closing.getAsBoolean()) return;
        ExcludeSet excludes = compiled.excludes();
        if (excludes.noWatch(comps)) return;
        int d = comps.length, k = p.comps.length;
        if (p.recursive) {
            if (d < k) navigate(p, dir, comps, p.comps[d], pass, follow);
            else content(p, dir, comps, Component.ANY, true, pass, follow);
        } else if (d < k - 1) {
            navigate(p, dir, comps, p.comps[d], pass, follow);
        } else if (d == k - 1) {
            Component last = p.comps[k - 1];
            content(p, dir, comps, last, false, pass, follow);
            if (p.literal) {
                byte[] target = PathBytes.child(dir, last.bytes);
                if (dirs.isDirectory(target)) plan(p, target, PathBytes.append(comps, last.bytes), pass, true);
            }
        } else if (d == k && p.literal) {
            content(p, dir, comps, Component.ANY, false, pass, follow);
        }
    }

    /** A directory on the way: watch it for the next component appearing, and descend where it exists. */
    private void navigate(FilePattern p, byte[] dir, byte[][] comps, Component next, Pass pass, boolean follow) {
        Rule rule = new Rule(p, false, next);
        if (next.isLiteral()) {
            byte[] child = PathBytes.child(dir, next.bytes);
            byte[][] cc = PathBytes.append(comps, next.bytes);
            if (dirs.isDirectory(child)) {
                plan(p, child, cc, pass, true);
                return;
            }
            if (compiled.excludes().noWatch(cc)) return;
            ensure(dir, comps, rule, pass, follow);
            if (dirs.isDirectory(child)) plan(p, child, cc, pass, true); // appeared before the watch was in place
            return;
        }
        ensure(dir, comps, rule, pass, follow);
        List<Entry> entries = dirs.list(dir);
        if (entries == null) return;
        for (Entry e : entries) {
            if (!next.matches(e.name())) continue;
            byte[] child = PathBytes.child(dir, e.name());
            boolean isDir = e.type() == Libc.DT_DIR
                    || ((e.type() == Libc.DT_UNKNOWN || e.type() == Libc.DT_LNK) && dirs.isDirectory(child));
            if (isDir) plan(p, child, PathBytes.append(comps, e.name()), pass, true);
        }
    }

    /** A directory whose children (matching matcher) are reported; recursive patterns descend into every subdirectory. */
    private void content(FilePattern p, byte[] dir, byte[][] comps, Component matcher, boolean descend, Pass pass, boolean follow) {
        Watch w = ensure(dir, comps, new Rule(p, true, matcher), pass, follow);
        boolean synth = pass.mode == Mode.RESCAN || (pass.mode == Mode.NEW && w != null && w.createdPass == pass.id);
        if (!synth && !descend) return;
        List<Entry> entries = dirs.list(dir);
        if (entries == null) return;
        Set<Key> excluded = compiled.excludes().excludedChildren(comps);
        for (Entry e : entries) {
            if (closing.getAsBoolean()) return;
            if (!excluded.isEmpty() && excluded.contains(new Key(e.name()))) continue;
            byte[] child = PathBytes.child(dir, e.name());
            boolean isDir = e.type() == Libc.DT_DIR || (e.type() == Libc.DT_UNKNOWN && dirs.isDirectory(child));
            if (synth && matcher.matches(e.name())) listener.created(w, e.name(), p, child, isDir);
            if (descend && isDir) plan(p, child, PathBytes.append(comps, e.name()), pass, false);
        }
    }

    /** Makes sure the directory is watched with at least this rule's mask, and records the rule. Null if it cannot be watched. */
    private Watch ensure(byte[] dir, byte[][] comps, Rule rule, Pass pass, boolean follow) {
        Key key = new Key(dir);
        Watch w = byPath.get(key);
        int need;
        if (pass.rules != null) {
            LinkedHashSet<Rule> rs = pass.rules.computeIfAbsent(key, x -> new LinkedHashSet<>());
            rs.add(rule);
            need = Watch.maskOf(rs);
        } else {
            need = rule.mask();
        }
        boolean call = w == null || (w.mask & need) != need || (pass.mode == Mode.RESCAN && w.checkedPass != pass.id);
        if (call) {
            w = place(dir, comps, key, w == null ? need : w.mask | need, pass, follow);
            if (w == null) return null;
        }
        if (pass.rules == null) w.rules.add(rule);
        return w;
    }

    /** inotify_add_watch, and the maps kept in step with what the kernel answered. */
    private Watch place(byte[] dir, byte[][] comps, Key key, int mask, Pass pass, boolean follow) {
        int flags = mask | WATCH_FLAGS | (follow ? 0 : Libc.IN_DONT_FOLLOW);
        int wd = dirs.addWatch(dir, flags);
        if (wd < 0) {
            watchFailed(dir, key, -wd, pass);
            return null;
        }
        Watch old = byPath.get(key);
        if (old != null && old.wd == wd) {
            old.mask = mask;
            old.checkedPass = pass.id;
            return old;
        }
        if (old != null) {
            // The path names another directory than the one watched (replaced while events were lost).
            forget(old);
            dirs.removeWatch(old.wd);
        }
        Watch alias = byWd.get(wd);
        if (alias != null) forget(alias); // this directory was known under a stale path
        Watch w = new Watch(wd, dir, comps, key, follow, mask, pass.id);
        if (old != null) w.rules.addAll(old.rules);
        w.excludedChildren = compiled.excludes().excludedChildren(comps);
        byWd.put(wd, w);
        byPath.put(key, w);
        active = byWd.size();
        Consumer<String> hook = newWatchHook;
        if (hook != null) hook.accept(w.key.toString());
        return w;
    }

    private void watchFailed(byte[] dir, Key key, int errno, Pass pass) {
        switch (errno) {
            case Libc.ENOENT, Libc.ENOTDIR, Libc.ELOOP -> {
                // Gone again, or not a directory (a race with a rename or a symlink): nothing to watch.
            }
            case Libc.ENOSPC -> {
                watchErrors++;
                if (pass.enospc++ == 0) pass.firstEnospc = dir;
            }
            default -> {
                watchErrors++;
                if (warnedPaths.size() < 10_000 && warnedPaths.add(key)) {
                    log.warn("inotify: cannot watch {}: {}", PathBytes.show(dir), Libc.errorText(errno));
                }
            }
        }
    }

    private void finishPass(Pass pass) {
        if (pass.enospc > 0) listener.ranOut(pass.enospc, pass.firstEnospc);
    }

    void forget(Watch w) {
        if (byWd.get(w.wd) == w) byWd.remove(w.wd);
        if (byPath.get(w.key) == w) byPath.remove(w.key);
        scanned.drop(w);
        active = byWd.size();
    }

    /** Drops the watches on this directory and everything below it (moved away or deleted). */
    void removeSubtree(byte[] dir, boolean rmWatch) {
        List<Watch> gone = new ArrayList<>();
        Watch self = byPath.get(new Key(dir));
        if (self != null) gone.add(self);
        boolean root = dir.length == 1 && dir[0] == '/';
        byte[] lo = root ? dir : PathBytes.child(dir, new byte[0]); // "dir/"
        byte[] hi = lo.clone();
        hi[hi.length - 1] = (byte) ('/' + 1);
        gone.addAll(root ? byPath.values() : byPath.subMap(new Key(lo), true, new Key(hi), false).values());
        for (Watch w : gone) {
            forget(w);
            if (rmWatch) dirs.removeWatch(w.wd);
        }
    }
}
