package io.hostql.tables.files;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A file path as the kernel sees it: raw bytes, so names that are not UTF-8 survive. Ordered
 * bytewise (as osquery's std::set of paths). {@link #parent()} and {@link #fileName()} follow
 * boost::filesystem (v3), which osquery uses to fill {@code directory} and {@code filename}.
 */
public final class FilePath implements Comparable<FilePath> {
    private final byte[] bytes;

    private FilePath(byte[] bytes) {
        this.bytes = bytes;
    }

    public static FilePath of(String path) {
        return new FilePath(path.getBytes(StandardCharsets.UTF_8));
    }

    public static FilePath of(byte[] path) {
        return new FilePath(path.clone());
    }

    /** The raw bytes; do not modify. Also the value a row gets (text bytes). */
    public byte[] bytes() {
        return bytes;
    }

    public int length() {
        return bytes.length;
    }

    public boolean isEmpty() {
        return bytes.length == 0;
    }

    /** NUL-terminated, for libc. */
    byte[] cstr() {
        return Arrays.copyOf(bytes, bytes.length + 1);
    }

    public boolean endsWithSlash() {
        return bytes.length > 0 && bytes[bytes.length - 1] == '/';
    }

    /** {@code dir / name} as boost's operator/: no separator added after a trailing one. */
    public FilePath child(byte[] name) {
        boolean sep = bytes.length > 0 && !endsWithSlash();
        byte[] out = Arrays.copyOf(bytes, bytes.length + (sep ? 1 : 0) + name.length);
        if (sep) out[bytes.length] = '/';
        System.arraycopy(name, 0, out, out.length - name.length, name.length);
        return new FilePath(out);
    }

    public FilePath withTrailingSlash() {
        if (endsWithSlash()) return this;
        byte[] out = Arrays.copyOf(bytes, bytes.length + 1);
        out[bytes.length] = '/';
        return new FilePath(out);
    }

    /**
     * boost's parent_path: "/etc/passwd" → "/etc", "/passwd" → "/", "/etc/apt/" → "/etc/apt",
     * "/" → "", "name" → "".
     */
    public FilePath parent() {
        int end = bytes.length;
        if (end == 0 || allSlashes()) return new FilePath(new byte[0]);
        if (!endsWithSlash()) {
            while (end > 0 && bytes[end - 1] != '/') end--;
            if (end == 0) return new FilePath(new byte[0]);
        }
        // Drop the separators before the file name, but keep a root "/".
        while (end > 1 && bytes[end - 1] == '/') end--;
        return new FilePath(Arrays.copyOf(bytes, end));
    }

    /** boost's filename: "/etc/passwd" → "passwd", "/etc/apt/" → ".", "/" → "/". */
    public byte[] fileName() {
        if (bytes.length == 0) return new byte[0];
        if (allSlashes()) return new byte[] {'/'};
        if (endsWithSlash()) return new byte[] {'.'};
        int start = bytes.length;
        while (start > 0 && bytes[start - 1] != '/') start--;
        return Arrays.copyOfRange(bytes, start, bytes.length);
    }

    private boolean allSlashes() {
        for (byte b : bytes) if (b != '/') return false;
        return true;
    }

    @Override
    public int compareTo(FilePath o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FilePath p && Arrays.equals(bytes, p.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** For messages; bytes that are not UTF-8 show as U+FFFD. */
    @Override
    public String toString() {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
