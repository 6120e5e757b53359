package io.hostql.publishers.inotify;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code exclude_paths}, all categories merged (as osquery's PathSet). Only whole components equal to
 * {@code %} (or {@code *}) are wildcards; partial names are compared literally. An entry excludes the
 * path it matches and everything below it (osquery excludes the path and its direct children; hostql
 * excludes the subtree, so {@code /dir}, {@code /dir/} and {@code /dir/%%} never get a watch).
 * {@code /dir/%%} and {@code /dir/%} exclude what is inside /dir but not /dir itself.
 */
final class ExcludeSet {
    static final ExcludeSet EMPTY = new ExcludeSet(List.of());

    private final List<Component[]> entries;

    private ExcludeSet(List<Component[]> entries) {
        this.entries = entries;
    }

    static ExcludeSet compile(Map<String, List<String>> excludePaths, List<String> problems) {
        List<Component[]> out = new ArrayList<>();
        excludePaths.forEach((category, list) -> {
            for (String text : list) {
                String where = "exclude_paths[" + category + "] '" + text + "'";
                if (text == null || !text.startsWith("/")) {
                    problems.add(where + " ignored: not an absolute path");
                    continue;
                }
                List<String> parts = new ArrayList<>();
                for (String s : text.split("/")) if (!s.isEmpty()) parts.add(s);
                boolean bad = parts.isEmpty();
                List<Component> comps = new ArrayList<>();
                for (int i = 0; i < parts.size() && !bad; i++) {
                    String s = parts.get(i);
                    if (s.equals("%%") || s.equals("**")) {
                        if (i != parts.size() - 1) bad = true;
                        else comps.add(Component.ANY);
                    } else if (s.equals("%") || s.equals("*")) {
                        comps.add(Component.ANY);
                    } else {
                        comps.add(Component.literal(PathBytes.utf8(s)));
                    }
                }
                if (bad) {
                    problems.add(where + " ignored: '%%' is only allowed as the last component, and '/' cannot be excluded");
                    continue;
                }
                out.add(comps.toArray(new Component[0]));
            }
        });
        return new ExcludeSet(List.copyOf(out));
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    private static boolean prefix(Component[] e, byte[][] path, int n) {
        for (int i = 0; i < n; i++) if (!e[i].matches(path[i])) return false;
        return true;
    }

    /** Is this path, or one of its ancestors, excluded? */
    boolean excluded(byte[][] path) {
        for (Component[] e : entries) if (path.length >= e.length && prefix(e, path, e.length)) return true;
        return false;
    }

    /** A directory that must not get a watch: excluded itself, or everything inside it is ({@code /dir/%%}). */
    boolean noWatch(byte[][] dir) {
        for (Component[] e : entries) {
            if (dir.length >= e.length && prefix(e, dir, e.length)) return true;
            if (e.length == dir.length + 1 && e[dir.length].kind == Component.Kind.ANY && prefix(e, dir, dir.length)) return true;
        }
        return false;
    }

    /** The (literal) child names of a watchable directory that are excluded. Empty set when none. */
    Set<PathBytes.Key> excludedChildren(byte[][] dir) {
        Set<PathBytes.Key> names = null;
        for (Component[] e : entries) {
            if (e.length == dir.length + 1 && e[dir.length].isLiteral() && prefix(e, dir, dir.length)) {
                if (names == null) names = new HashSet<>();
                names.add(new PathBytes.Key(e[dir.length].bytes));
            }
        }
        return names == null ? Set.of() : names;
    }
}
