package io.hostql.publishers.inotify;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Absolute paths as bytes (Linux names need not be UTF-8). A directory path has no trailing '/',
 * except the root itself, which is "/".
 */
final class PathBytes {
    static final byte[] ROOT = {'/'};
    static final byte[][] NO_COMPONENTS = new byte[0][];

    private PathBytes() {}

    /** dir + '/' + name, without doubling the root's slash. */
    static byte[] child(byte[] dir, byte[] name) {
        if (dir.length == 1 && dir[0] == '/') {
            byte[] p = new byte[1 + name.length];
            p[0] = '/';
            System.arraycopy(name, 0, p, 1, name.length);
            return p;
        }
        byte[] p = new byte[dir.length + 1 + name.length];
        System.arraycopy(dir, 0, p, 0, dir.length);
        p[dir.length] = '/';
        System.arraycopy(name, 0, p, dir.length + 1, name.length);
        return p;
    }

    /** The non-empty components between slashes. */
    static byte[][] components(byte[] path) {
        List<byte[]> out = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= path.length; i++) {
            boolean sep = i == path.length || path[i] == '/';
            if (sep) {
                if (start >= 0 && i > start) out.add(Arrays.copyOfRange(path, start, i));
                start = -1;
            } else if (start < 0) {
                start = i;
            }
        }
        return out.toArray(new byte[0][]);
    }

    static byte[][] append(byte[][] comps, byte[] name) {
        byte[][] c = Arrays.copyOf(comps, comps.length + 1);
        c[comps.length] = name;
        return c;
    }

    /** The parent directory, or null for the root. */
    static byte[] parent(byte[] path) {
        if (path.length <= 1) return null;
        int i = path.length - 1;
        while (i > 0 && path[i] != '/') i--;
        return i == 0 ? ROOT : Arrays.copyOf(path, i);
    }

    /** The last component (the name in its parent). */
    static byte[] name(byte[] path) {
        int i = path.length - 1;
        while (i >= 0 && path[i] != '/') i--;
        return Arrays.copyOfRange(path, i + 1, path.length);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** For log lines and loss reasons only (never for event paths). */
    static String show(byte[] path) {
        return new String(path, StandardCharsets.UTF_8);
    }

    /** A path usable as a map key, ordered by unsigned bytes, so a directory's subtree is a contiguous range. */
    static final class Key implements Comparable<Key> {
        final byte[] bytes;
        private final int hash;

        Key(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && hash == k.hash && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public int compareTo(Key o) {
            return Arrays.compareUnsigned(bytes, o.bytes);
        }

        @Override
        public String toString() {
            return show(bytes);
        }
    }
}
