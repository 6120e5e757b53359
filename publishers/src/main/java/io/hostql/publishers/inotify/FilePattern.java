package io.hostql.publishers.inotify;

import java.util.ArrayList;
import java.util.List;

/**
 * One compiled {@code file_paths} entry, with osquery's rules: {@code %} one level, {@code %%} (or
 * {@code **}) recursive and only as the last component, {@code abc%}/{@code %abc} partial names, a
 * trailing '/' meaning the directory's contents, absolute paths only.
 *
 * <p>Which directories get a watch, by depth d (number of components of the directory):
 * <ul>
 *   <li>recursive {@code C1..Ck/%%}: below depth k the directory is on the way ("navigation": only
 *       creations and moves are watched, to descend when component C(d+1) appears); from depth k on
 *       every directory is a content directory (all its children match);</li>
 *   <li>otherwise {@code C1..Cn}: navigation below depth n-1; at depth n-1 a content directory whose
 *       children match Cn; a fully literal path whose target is a directory also matches that
 *       directory's children (osquery treats an existing directory as its contents).</li>
 * </ul>
 */
final class FilePattern {
    final String category;
    final String text;
    final boolean access;
    final Component[] comps;
    final boolean recursive;
    final boolean literal;

    private FilePattern(String category, String text, boolean access, Component[] comps, boolean recursive) {
        this.category = category;
        this.text = text;
        this.access = access;
        this.comps = comps;
        this.recursive = recursive;
        boolean lit = !recursive;
        for (Component c : comps) lit &= c.isLiteral();
        this.literal = lit;
    }

    /** Compiles the pattern, or returns null and adds a message to problems. */
    static FilePattern compile(String category, String text, boolean access, List<String> problems) {
        String where = "file_paths[" + category + "] '" + text + "'";
        if (text == null || text.isEmpty()) {
            problems.add(where + " ignored: empty path");
            return null;
        }
        if (text.charAt(0) != '/') {
            problems.add(where + " ignored: not an absolute path (osquery does not expand '~' or relative paths either)");
            return null;
        }
        boolean contents = text.length() > 1 && text.endsWith("/");
        List<String> parts = new ArrayList<>();
        for (String s : text.split("/")) if (!s.isEmpty()) parts.add(s);
        for (String s : parts) {
            if (s.equals(".") || s.equals("..")) {
                problems.add(where + " ignored: '.' and '..' components are not allowed");
                return null;
            }
        }
        if (contents && (parts.isEmpty() || !(parts.get(parts.size() - 1).equals("%%") || parts.get(parts.size() - 1).equals("**")))) {
            parts.add("%");
        }
        boolean recursive = false;
        for (int i = 0; i < parts.size(); i++) {
            String s = parts.get(i);
            boolean rec = s.contains("%%") || s.contains("**");
            if (!rec) continue;
            if (i != parts.size() - 1 || !(s.equals("%%") || s.equals("**"))) {
                problems.add(where + " ignored: '%%' is only allowed as the whole last component (e.g. /etc/%%)");
                return null;
            }
            recursive = true;
        }
        if (recursive) parts.remove(parts.size() - 1);
        if (!recursive && parts.isEmpty()) {
            problems.add(where + " ignored: '/' itself cannot be monitored (use '/%' or '/%%')");
            return null;
        }
        Component[] comps = parts.stream().map(Component::pattern).toArray(Component[]::new);
        return new FilePattern(category, text, access, comps, recursive);
    }

    /** Depth from which directories hold matching children (recursive), or the one depth that does. */
    int contentDepth() {
        return recursive ? comps.length : comps.length - 1;
    }

    private boolean prefix(byte[][] path, int n) {
        for (int i = 0; i < n; i++) if (!comps[i].matches(path[i])) return false;
        return true;
    }

    /** Does this pattern select the file at this path (for events)? */
    boolean matchesPath(byte[][] path) {
        int k = comps.length;
        if (recursive) return path.length >= k && prefix(path, k);
        if (path.length == k) return prefix(path, k);
        return literal && path.length == k + 1 && prefix(path, k);
    }

    /** Could this directory be on this pattern's way or in its content (so it may need a watch)? */
    boolean prefixMatches(byte[][] dir) {
        int k = comps.length;
        if (recursive) return prefix(dir, Math.min(dir.length, k));
        if (dir.length <= k - 1) return prefix(dir, dir.length);
        return literal && dir.length == k && prefix(dir, k);
    }

    @Override
    public String toString() {
        return text;
    }
}
