package io.hostql.publishers.inotify;

import io.hostql.os.Libc;
import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.config.osquery.FileMonitoring;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The planning of watches, on a directory tree in memory: no kernel, no inotify. */
class WatchTreeTest {
    /** Directories as paths; addWatch gives one descriptor per path, and ENOSPC past limit watches. */
    static final class Dirs implements Directories {
        final Set<String> dirs = new TreeSet<>();
        final Map<String, Integer> wds = new HashMap<>();
        final Set<String> files = new TreeSet<>();
        int limit = Integer.MAX_VALUE;
        int removed;

        Dirs(String... paths) {
            for (String p : paths) add(p);
        }

        void add(String p) {
            for (String a = p; !a.isEmpty() && !a.equals("/"); a = a.substring(0, Math.max(1, a.lastIndexOf('/')))) dirs.add(a);
            dirs.add("/");
        }

        @Override
        public int addWatch(byte[] dir, int flags) {
            String d = new String(dir, StandardCharsets.UTF_8);
            if (!dirs.contains(d)) return -Libc.ENOENT;
            Integer wd = wds.get(d);
            if (wd != null) return wd;
            if (wds.size() >= limit) return -Libc.ENOSPC;
            wds.put(d, wds.size() + 1);
            return wds.size();
        }

        @Override
        public void removeWatch(int wd) {
            removed++;
            wds.values().remove(wd);
        }

        @Override
        public boolean isDirectory(byte[] path) {
            return dirs.contains(new String(path, StandardCharsets.UTF_8));
        }

        @Override
        public List<Entry> list(byte[] dir) {
            String d = new String(dir, StandardCharsets.UTF_8);
            if (!dirs.contains(d)) return null;
            String prefix = d.equals("/") ? "/" : d + "/";
            List<Entry> out = new ArrayList<>();
            for (String c : dirs) {
                if (c.startsWith(prefix) && c.length() > prefix.length() && c.indexOf('/', prefix.length()) < 0) {
                    out.add(new Entry(c.substring(prefix.length()).getBytes(StandardCharsets.UTF_8), Libc.DT_DIR));
                }
            }
            for (String f : files) {
                if (f.startsWith(prefix) && f.indexOf('/', prefix.length()) < 0) {
                    out.add(new Entry(f.substring(prefix.length()).getBytes(StandardCharsets.UTF_8), 8));
                }
            }
            return out;
        }
    }

    final List<String> created = new ArrayList<>();
    final List<String> ranOut = new ArrayList<>();

    WatchTree tree(Dirs dirs, Map<String, List<String>> paths, Map<String, List<String>> excludes) {
        return new WatchTree(dirs, WatchTree.compile(new FileMonitoring(paths, excludes, Set.of())), new WatchTree.Listener() {
            @Override
            public void created(Watch w, byte[] name, FilePattern p, byte[] path, boolean dir) {
                created.add(p.category + " " + new String(path, StandardCharsets.UTF_8));
            }

            @Override
            public void ranOut(int count, byte[] first) {
                ranOut.add(count + " " + new String(first, StandardCharsets.UTF_8));
            }
        }, () -> false);
    }

    @Test
    void aRecursivePatternWatchesItsTreeAndNothingAboveIt() {
        Dirs dirs = new Dirs("/a/b/c/d", "/a/x", "/y");
        WatchTree t = tree(dirs, Map.of("fim", List.of("/a/b/%%")), Map.of());
        t.reconcile(WatchTree.Mode.QUIET);
        assertThat(t.directories()).containsExactly("/a/b", "/a/b/c", "/a/b/c/d");
        assertThat(t.byPath("/a/b/c".getBytes(StandardCharsets.UTF_8)).mask).isEqualTo(Watch.DEFAULT_MASK);
        assertThat(t.size()).isEqualTo(3);
        assertThat(created).isEmpty(); // a quiet pass reports nothing, as osquery
    }

    @Test
    void aPathThatDoesNotExistYetIsWaitedForOnItsNearestAncestor() {
        Dirs dirs = new Dirs("/a");
        WatchTree t = tree(dirs, Map.of("fim", List.of("/a/later/%")), Map.of());
        t.reconcile(WatchTree.Mode.QUIET);
        assertThat(t.directories()).containsExactly("/a");
        assertThat(t.byPath("/a".getBytes(StandardCharsets.UTF_8)).mask).isEqualTo(Watch.NAV_MASK);

        // It appears: the watch moves down, and what it holds is reported as created.
        dirs.add("/a/later/sub");
        dirs.files.add("/a/later/f.txt");
        Watch a = t.byPath("/a".getBytes(StandardCharsets.UTF_8));
        t.newDirectory(a, "later".getBytes(StandardCharsets.UTF_8), "/a/later".getBytes(StandardCharsets.UTF_8));
        assertThat(t.directories()).containsExactly("/a", "/a/later");
        assertThat(created).containsExactlyInAnyOrder("fim /a/later/f.txt", "fim /a/later/sub");
    }

    @Test
    void excludedTreesGetNoWatch() {
        Dirs dirs = new Dirs("/a/keep/k", "/a/skip/s");
        WatchTree t = tree(dirs, Map.of("fim", List.of("/a/%%")), Map.of("fim", List.of("/a/skip")));
        t.reconcile(WatchTree.Mode.QUIET);
        assertThat(t.directories()).containsExactly("/a", "/a/keep", "/a/keep/k");
    }

    @Test
    void aNewConfigurationRemovesTheWatchesItNoLongerNeeds() {
        Dirs dirs = new Dirs("/a/b", "/c/d");
        WatchTree t = tree(dirs, Map.of("fim", List.of("/a/%%", "/c/%%")), Map.of());
        t.reconcile(WatchTree.Mode.QUIET);
        assertThat(t.directories()).containsExactly("/a", "/a/b", "/c", "/c/d");
        t.configure(WatchTree.compile(new FileMonitoring(Map.of("fim", List.of("/c/%%")), Map.of(), Set.of())));
        t.reconcile(WatchTree.Mode.QUIET);
        assertThat(t.directories()).containsExactly("/c", "/c/d");
        assertThat(dirs.removed).isEqualTo(2);
    }

    @Test
    void runningOutOfWatchesIsOneReportPerPassAndTheRestIsKept() {
        Dirs dirs = new Dirs("/t/d0", "/t/d1", "/t/d2", "/t/d3", "/t/d4");
        dirs.limit = 3;
        WatchTree t = tree(dirs, Map.of("fim", List.of("/t/%%")), Map.of());
        t.reconcile(WatchTree.Mode.QUIET);
        assertThat(t.size()).isEqualTo(3);
        assertThat(t.watchErrors()).isEqualTo(3);
        assertThat(ranOut).hasSize(1);
        assertThat(ranOut.get(0)).matches("3 /t/d\\d");
    }

    @Test
    void aRescanReportsEveryFileAgain() {
        Dirs dirs = new Dirs("/a/b");
        dirs.files.add("/a/f");
        WatchTree t = tree(dirs, Map.of("fim", List.of("/a/%%")), Map.of());
        t.reconcile(WatchTree.Mode.QUIET);
        t.reconcile(WatchTree.Mode.RESCAN);
        assertThat(created).containsExactlyInAnyOrder("fim /a/b", "fim /a/f");
    }
}
