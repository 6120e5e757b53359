package io.hostql.tables.files;

import static io.hostql.os.Libc.DT_DIR;
import static io.hostql.os.Libc.DT_LNK;
import static io.hostql.os.Libc.DT_UNKNOWN;

import com.sun.jna.Pointer;
import io.hostql.os.Libc;
import io.hostql.sql.table.Constraint;
import io.hostql.sql.table.ConstraintOp;
import io.hostql.sql.table.QueryContext;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * osquery's filesystem patterns (its {@code resolveFilePattern}, glob(3) with GLOB_MARK), shared by
 * the {@code file} and {@code hash} tables, file integrity monitoring, and the tables that scan
 * directories named by a pattern (python_packages, npm_packages).
 *
 * <ul>
 *   <li>{@code %} (or {@code *}) matches any run of characters within one path component;
 *       {@code ?} one character. Everything else, {@code _} included, is literal, as in osquery.</li>
 *   <li>A wildcard at the start of a component does not match a leading '.': hidden files are
 *       only matched by a pattern that spells the dot (glob's rule, so osquery's).</li>
 *   <li>A pattern ending in {@code %%} also yields everything below the directories it matches,
 *       at any depth (up to {@value #MAX_DEPTH} levels); {@code %%} anywhere else is {@code %}.</li>
 *   <li>Directories are returned with a trailing '/'; a pattern ending in '/' matches directories only.</li>
 *   <li>Results are unique and sorted bytewise. Unreadable or vanished directories are skipped.</li>
 * </ul>
 *
 * Symlinks are followed by the wildcard components, as glob does; the recursion of {@code %%}
 * does not enter symlinked directories (see {@link #descend}).
 */
public final class FilePatterns {
    /** osquery's GLOB_ALL, GLOB_FILES and GLOB_FOLDERS. */
    public enum Kind { ALL, FILES, DIRECTORIES }

    public static final int MAX_DEPTH = 64;

    private FilePatterns() {}

    /** One directory entry: its name and readdir's d_type. */
    public record Entry(byte[] name, int type) {}

    /** Whether a LIKE/glob value has a wildcard this class expands. */
    public static boolean hasWildcard(byte[] pattern) {
        for (byte b : pattern) if (isWild(b) || b == '?') return true;
        return false;
    }

    /** The paths {@code pattern} matches, of the given kind. */
    public static List<FilePath> expand(String pattern, Kind kind) {
        return expand(FilePath.of(pattern), kind);
    }

    public static List<FilePath> expand(FilePath pattern, Kind kind) {
        TreeSet<FilePath> out = new TreeSet<>();
        expandInto(pattern.bytes(), kind, out);
        return new ArrayList<>(out);
    }

    /**
     * The directories {@code pattern} matches, as path strings without the trailing '/', in walk
     * order: component by component, so "python3/x" comes before "python3.11/x".
     */
    public static List<String> directories(String pattern) {
        List<byte[]> dirs = new ArrayList<>();
        for (FilePath p : expand(pattern, Kind.DIRECTORIES)) {
            byte[] b = p.bytes();
            dirs.add(b.length > 1 ? Arrays.copyOf(b, b.length - 1) : b);
        }
        dirs.sort(FilePatterns::compareByComponent);
        List<String> out = new ArrayList<>();
        for (byte[] d : dirs) out.add(new String(d, java.nio.charset.StandardCharsets.UTF_8));
        return out;
    }

    /** Bytewise, with '/' below every other byte: the order of comparing component lists. */
    private static int compareByComponent(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            if (a[i] == b[i]) continue;
            if (a[i] == '/') return -1;
            if (b[i] == '/') return 1;
            return Integer.compare(a[i] & 0xff, b[i] & 0xff);
        }
        return Integer.compare(a.length, b.length);
    }

    /**
     * What a query asks for in a path-like column, as osquery's tables read it: the {@code =} / IN
     * values verbatim, plus what each LIKE (and GLOB) pattern expands to. Sorted and unique.
     */
    public static TreeSet<FilePath> fromConstraints(QueryContext ctx, String column, Kind kind) {
        TreeSet<FilePath> out = new TreeSet<>();
        for (Constraint c : ctx.constraints(column)) {
            if (c.value() == null) continue;
            byte[] value = c.value() instanceof byte[] b ? b : c.text().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (c.op() == ConstraintOp.EQ) {
                out.add(FilePath.of(value));
            } else if (c.op() == ConstraintOp.LIKE || c.op() == ConstraintOp.GLOB) {
                expandInto(value, kind, out);
            }
        }
        return out;
    }

    /**
     * A directory's entries without "." and "..", hidden ones included, sorted by name. Empty if
     * it cannot be opened (missing, not a directory, unreadable). Symlinks to directories are followed.
     */
    public static List<Entry> list(FilePath dir) {
        byte[] path = dir.isEmpty() ? new byte[] {'.', 0} : dir.cstr();
        Pointer d = Libc.opendir(path);
        if (d == null) return List.of();
        List<Entry> out = new ArrayList<>();
        try {
            for (Pointer e = Libc.readdir(d); e != null; e = Libc.readdir(d)) {
                int reclen = e.getShort(16) & 0xffff;
                byte[] raw = e.getByteArray(18, reclen - 18);
                int len = 1;
                while (len < raw.length && raw[len] != 0) len++;
                byte[] name = Arrays.copyOfRange(raw, 1, len);
                if (isDotOrDotDot(name)) continue;
                out.add(new Entry(name, raw[0] & 0xff));
            }
        } finally {
            Libc.closedir(d);
        }
        out.sort(Comparator.comparing(Entry::name, Arrays::compareUnsigned));
        return out;
    }

    // ---- expansion -------------------------------------------------------------------------

    private static void expandInto(byte[] pattern, Kind kind, Collection<FilePath> out) {
        if (pattern.length == 0) return;
        int end = pattern.length;
        boolean dirsOnly = pattern[end - 1] == '/';
        if (dirsOnly) {
            while (end > 0 && pattern[end - 1] == '/') end--;
            if (end == 0) { // "/" itself
                if (kind != Kind.FILES) out.add(FilePath.of(new byte[] {'/'}));
                return;
            }
        }
        boolean recursive = end >= 2 && isWild(pattern[end - 1]) && isWild(pattern[end - 2]);

        // The literal directory prefix is kept verbatim; the components after it are matched.
        int firstWild = 0;
        while (firstWild < end && !isWild(pattern[firstWild]) && pattern[firstWild] != '?') firstWild++;
        int baseEnd = firstWild;
        while (baseEnd > 0 && pattern[baseEnd - 1] != '/') baseEnd--;
        FilePath base = FilePath.of(Arrays.copyOf(pattern, baseEnd));
        List<byte[]> parts = new ArrayList<>(); // never empty: the pattern ends in a non-slash
        int s = baseEnd;
        for (int i = baseEnd; i <= end; i++) {
            if (i == end || pattern[i] == '/') {
                if (i > s) parts.add(Arrays.copyOfRange(pattern, s, i));
                s = i + 1;
            }
        }
        // Walk the components; each level keeps the paths (and whether they are directories) matched so far.
        List<Match> level = List.of(new Match(base, true));
        for (int i = 0; i < parts.size(); i++) {
            byte[] part = parts.get(i);
            boolean last = i == parts.size() - 1;
            List<Match> next = new ArrayList<>();
            for (Match m : level) {
                if (!hasWildcard(part)) {
                    next.add(new Match(m.path.child(part), null));
                    continue;
                }
                for (Entry e : list(m.path)) {
                    Boolean dir = dirHint(e.type);
                    if (!last && dir == Boolean.FALSE) continue;
                    if (matches(part, e.name)) next.add(new Match(m.path.child(e.name), dir));
                }
            }
            if (!last) {
                // Only directories lead anywhere; opendir on the next level checks that cheaply.
                level = next;
                continue;
            }
            Set<Long> seen = recursive ? new HashSet<>() : null;
            for (Match m : next) {
                FileStat lst = m.isDir == null ? FileStat.lstat(m.path) : null;
                if (m.isDir == null && lst == null) continue; // a literal name that does not exist
                boolean dir = isDirectory(m, lst);
                if (dir) {
                    if (kind != Kind.FILES) out.add(m.path.withTrailingSlash());
                } else if (!dirsOnly && kind != Kind.DIRECTORIES) {
                    out.add(m.path);
                }
                if (recursive && dir && isRealDirectory(m, lst)) descend(m.path, dirsOnly, kind, out, seen);
            }
        }
    }

    /**
     * Everything below {@code dir}, level after level. Symlinked directories are listed (marked as
     * directories) but not entered: that keeps a walk finite and each directory listed once under its
     * real path (glob would follow them, and osquery then stops at the first repeated inode).
     */
    private static void descend(FilePath dir, boolean dirsOnly, Kind kind, Collection<FilePath> out, Set<Long> seen) {
        Deque<FilePath> todo = new ArrayDeque<>();
        Deque<Integer> depths = new ArrayDeque<>();
        if (!firstVisit(dir, seen)) return;
        todo.add(dir);
        depths.add(1);
        while (!todo.isEmpty()) {
            FilePath d = todo.poll();
            int depth = depths.poll();
            for (Entry e : list(d)) {
                if (e.name[0] == '.') continue;
                FilePath p = d.child(e.name);
                boolean realDir;
                boolean isDir;
                if (e.type == DT_UNKNOWN) {
                    FileStat l = FileStat.lstat(p);
                    if (l == null) continue;
                    realDir = l.isDirectory();
                    isDir = realDir || (l.isSymlink() && isDirectory(new Match(p, null), l));
                } else {
                    realDir = e.type == DT_DIR;
                    isDir = realDir || (e.type == DT_LNK && isDirectory(new Match(p, null), null));
                }
                if (isDir) {
                    if (kind != Kind.FILES) out.add(p.withTrailingSlash());
                    if (realDir && depth < MAX_DEPTH && firstVisit(p, seen)) {
                        todo.add(p);
                        depths.add(depth + 1);
                    }
                } else if (!dirsOnly && kind != Kind.DIRECTORIES) {
                    out.add(p);
                }
            }
        }
    }

    private static boolean firstVisit(FilePath dir, Set<Long> seen) {
        FileStat st = FileStat.stat(dir);
        if (st == null) return false;
        // Device and inode, folded: collisions only cost a skipped directory in a loop-prone walk.
        return seen.add(st.dev() * 0x9E3779B97F4A7C15L ^ st.ino());
    }

    private record Match(FilePath path, Boolean isDir) {}

    /** d_type says "directory" or "not a directory" for sure, except for symlinks and unknown. */
    private static Boolean dirHint(int dtype) {
        if (dtype == DT_DIR) return Boolean.TRUE;
        if (dtype == DT_LNK || dtype == DT_UNKNOWN) return null;
        return Boolean.FALSE;
    }

    /** A directory and not a symlink to one. */
    private static boolean isRealDirectory(Match m, FileStat lstat) {
        if (m.isDir == Boolean.TRUE) return true; // d_type DT_DIR
        FileStat l = lstat != null ? lstat : FileStat.lstat(m.path);
        return l != null && l.isDirectory();
    }

    /** GLOB_MARK's test: stat, following symlinks. */
    private static boolean isDirectory(Match m, FileStat lstat) {
        if (m.isDir != null) return m.isDir;
        if (lstat != null && !lstat.isSymlink()) return lstat.isDirectory();
        FileStat st = FileStat.stat(m.path);
        return st != null && st.isDirectory();
    }

    // ---- component matching ----------------------------------------------------------------

    private static boolean isWild(byte b) {
        return b == '%' || b == '*';
    }

    private static boolean isDotOrDotDot(byte[] n) {
        return (n.length == 1 && n[0] == '.') || (n.length == 2 && n[0] == '.' && n[1] == '.');
    }

    /** Whether a file name matches one pattern component. */
    static boolean matches(byte[] pattern, byte[] name) {
        if (name.length > 0 && name[0] == '.' && (pattern.length == 0 || pattern[0] != '.')) return false;
        int p = 0, n = 0, starP = -1, starN = 0;
        while (n < name.length) {
            if (p < pattern.length && isWild(pattern[p])) {
                while (p < pattern.length && isWild(pattern[p])) p++;
                starP = p;
                starN = n;
            } else if (p < pattern.length && pattern[p] == '?') {
                p++;
                n = nextChar(name, n);
            } else if (p < pattern.length && pattern[p] == name[n]) {
                p++;
                n++;
            } else if (starP >= 0) {
                starN = nextChar(name, starN);
                n = starN;
                p = starP;
            } else {
                return false;
            }
        }
        while (p < pattern.length && isWild(pattern[p])) p++;
        return p == pattern.length;
    }

    /** The index after the UTF-8 character at i (one byte if it is not valid UTF-8). */
    private static int nextChar(byte[] s, int i) {
        int j = i + 1;
        if ((s[i] & 0xc0) == 0xc0) while (j < s.length && (s[j] & 0xc0) == 0x80 && j - i < 4) j++;
        return j;
    }
}
