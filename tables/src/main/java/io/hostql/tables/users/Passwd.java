package io.hostql.tables.users;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.hostql.os.Libc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The local user database, parsed from /etc/passwd the way glibc's fgetpwent does. This is the one
 * passwd reader of the tables: others map uids to names, or find home directories, through
 * {@link #system()}, which re-parses only when the file changes (one stat per call), so it is cheap
 * to call per query.
 */
public final class Passwd {
    public static final Path ETC_PASSWD = Path.of("/etc/passwd");

    /** One passwd entry. uid and gid are the unsigned 32-bit ids. */
    public record User(String name, long uid, long gid, String description, String directory, String shell) {
        public long uidSigned() {
            return (int) uid;
        }

        public long gidSigned() {
            return (int) gid;
        }
    }

    private static final Object NSS_LOCK = new Object();
    private static final Passwd EMPTY = new Passwd(List.of());
    private static final Map<Path, Cached<Passwd>> CACHE = new ConcurrentHashMap<>();

    private final List<User> users;
    private final Map<Long, User> byUid = new HashMap<>();
    private final Map<String, User> byName = new HashMap<>();

    private Passwd(List<User> users) {
        this.users = Collections.unmodifiableList(users);
        for (User u : users) {
            byUid.putIfAbsent(u.uid(), u);
            byName.putIfAbsent(u.name(), u);
        }
    }

    /** /etc/passwd, re-read only when it changed since the last call. */
    public static Passwd system() throws IOException {
        return cached(ETC_PASSWD);
    }

    /** {@link #system()}, or an empty database when /etc/passwd cannot be read. */
    public static Passwd systemOrEmpty() {
        return cachedOrEmpty(ETC_PASSWD);
    }

    /** A passwd-format file, re-read only when it changed since the last call for it. */
    public static Passwd cached(Path file) throws IOException {
        return Cached.get(CACHE, file, Passwd::read);
    }

    /** {@link #cached}, or an empty database when the file cannot be read (callers that can go on without names). */
    public static Passwd cachedOrEmpty(Path file) {
        return Cached.getOrElse(CACHE, file, Passwd::read, EMPTY);
    }

    /** A passwd-format file; a missing file is an empty database. */
    public static Passwd read(Path file) throws IOException {
        try {
            return parse(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return EMPTY;
        }
    }

    public static Passwd parse(byte[] content) {
        List<User> out = new ArrayList<>();
        for (String line : Cached.lines(content)) {
            User u = parseLine(line);
            if (u != null) out.add(u);
        }
        return new Passwd(out);
    }

    /** name:passwd:uid:gid[:gecos[:dir[:shell]]]; a bad uid/gid or an NIS compat line (+/-) yields null. */
    static User parseLine(String line) {
        String[] f = line.split(":", 7);
        if (f.length < 4 || f[0].isEmpty() || f[0].charAt(0) == '+' || f[0].charAt(0) == '-') return null;
        long uid = Cached.parseId(f[2]), gid = Cached.parseId(f[3]);
        if (uid < 0 || gid < 0) return null;
        return new User(f[0], uid, gid, f.length > 4 ? f[4] : "", f.length > 5 ? f[5] : "", f.length > 6 ? f[6] : "");
    }

    public List<User> users() {
        return users;
    }

    /** The first entry with this uid, as getpwuid answers; null if none. */
    public User byUid(long uid) {
        return byUid.get(uid);
    }

    public User byName(String name) {
        return byName.get(name);
    }

    /** Every entry with this uid, in file order (usually one; getpwuid answers only the first). */
    public List<User> allByUid(long uid) {
        List<User> out = new ArrayList<>();
        for (User u : users) if (u.uid() == uid) out.add(u);
        return out;
    }

    /** The user name of a uid, or null. */
    public String nameOf(long uid) {
        User u = byUid.get(uid);
        return u == null ? null : u.name();
    }

    /** Every user NSS knows (files, LDAP, sssd, systemd, ...), through getpwent; may be slow on directory-backed hosts. */
    public static List<User> nssAll() {
        List<User> out = new ArrayList<>();
        synchronized (NSS_LOCK) {
            Libc.setpwent();
            try {
                Pointer p;
                while ((p = Libc.getpwent()) != null) out.add(fromStruct(p));
            } finally {
                Libc.endpwent();
            }
        }
        return out;
    }

    /** getpwuid through NSS; null if unknown. */
    public static User nssByUid(long uid) {
        synchronized (NSS_LOCK) {
            Pointer p = Libc.getpwuid((int) uid);
            return p == null ? null : fromStruct(p);
        }
    }

    /** getpwnam through NSS; null if unknown. */
    public static User nssByName(String name) {
        byte[] n = (name + "\0").getBytes(StandardCharsets.UTF_8);
        synchronized (NSS_LOCK) {
            Pointer p = Libc.getpwnam(n);
            return p == null ? null : fromStruct(p);
        }
    }

    // struct passwd { char *pw_name, *pw_passwd; uid_t pw_uid; gid_t pw_gid; char *pw_gecos, *pw_dir, *pw_shell; }
    private static User fromStruct(Pointer p) {
        int ps = Native.POINTER_SIZE;
        int gecos = 2 * ps + 8;
        return new User(str(p.getPointer(0)), p.getInt(2L * ps) & 0xFFFFFFFFL, p.getInt(2L * ps + 4) & 0xFFFFFFFFL,
                str(p.getPointer(gecos)), str(p.getPointer(gecos + ps)), str(p.getPointer(gecos + 2L * ps)));
    }

    private static String str(Pointer p) {
        return p == null ? "" : p.getString(0, "UTF-8");
    }

    /** A parsed file and the stat stamp (inode, size, mtime) it was parsed at. */
    record Cached<T>(Object stamp, T value) {
        interface Reader<T> {
            T read(Path file) throws IOException;
        }

        /** The cached parse of file, parsed again when its stamp changed. */
        static <T> T get(Map<Path, Cached<T>> cache, Path file, Reader<T> reader) throws IOException {
            Cached<T> c = cache.get(file);
            Object stamp = stamp(file);
            if (c != null && Objects.equals(c.stamp(), stamp)) return c.value();
            T value = reader.read(file);
            cache.put(file, new Cached<>(stamp, value));
            return value;
        }

        /** {@link #get}, or orElse when the file cannot be read. */
        static <T> T getOrElse(Map<Path, Cached<T>> cache, Path file, Reader<T> reader, T orElse) {
            try {
                return get(cache, file, reader);
            } catch (IOException e) {
                return orElse;
            }
        }

        static Object stamp(Path file) {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                return List.of(String.valueOf(a.fileKey()), a.size(), a.lastModifiedTime().toMillis());
            } catch (IOException e) {
                return "missing";
            }
        }

        /** Lines that are neither blank nor comments, leading whitespace removed (as nss_files reads them). */
        static List<String> lines(byte[] content) {
            List<String> out = new ArrayList<>();
            String text = new String(content, StandardCharsets.UTF_8);
            int start = 0, n = text.length();
            while (start < n) {
                int end = text.indexOf('\n', start);
                if (end < 0) end = n;
                int i = start;
                while (i < end && Character.isWhitespace(text.charAt(i))) i++;
                if (i < end && text.charAt(i) != '#') {
                    int e = end;
                    if (e > i && text.charAt(e - 1) == '\r') e--;
                    out.add(text.substring(i, e));
                }
                start = end + 1;
            }
            return out;
        }

        /** A decimal uid/gid in 0..2^32-1, or -1. */
        static long parseId(String s) {
            int n = s.length();
            if (n == 0 || n > 10) return -1;
            long v = 0;
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c < '0' || c > '9') return -1;
                v = v * 10 + (c - '0');
            }
            return v > 0xFFFFFFFFL ? -1 : v;
        }
    }
}
