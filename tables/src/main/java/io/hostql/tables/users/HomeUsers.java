package io.hostql.tables.users;

import io.hostql.os.Libc;
import io.hostql.sql.table.QueryContext;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The users whose home directories a per-user table (authorized_keys, user_ssh_keys,
 * shell_history, the browser and editor add-on tables) scans, as osquery's usersFromContext selects them, and a guarded read of the
 * files in those homes.
 */
public final class HomeUsers {
    private HomeUsers() {}

    /** osquery's read_max: files larger than this are not read. */
    public static final long READ_MAX = 50L * 1024 * 1024;

    /** Users with a pushed-down uid, else all. passwdFile: read instead of /etc/passwd (tests); null for the system file. */
    public static List<Passwd.User> of(QueryContext ctx, Path passwdFile) throws IOException {
        Passwd db = passwdFile == null ? Passwd.system() : Passwd.read(passwdFile);
        Set<Long> uids = ctx.equalsLong("uid");
        if (uids.isEmpty()) return db.users();
        List<Passwd.User> out = new ArrayList<>();
        for (Passwd.User u : db.users()) if (uids.contains(u.uid())) out.add(u);
        return out;
    }

    /** What a per-user table does with one file of a home it may read. */
    interface HomeFile {
        void accept(Passwd.User user, Path file, byte[] content) throws Exception;
    }

    /** For each user the query selects ({@link #of}), each named file of the home that {@link #read} returns, in order. */
    static void eachFile(QueryContext ctx, Path passwdFile, long max, HomeFile action, String... relative) throws Exception {
        for (Passwd.User u : of(ctx, passwdFile)) {
            for (String name : relative) {
                Path f = file(u, name);
                byte[] content = f == null ? null : read(u, f, max);
                if (content != null) action.accept(u, f, content);
            }
        }
    }

    /** A path under the user's home, as osquery joins them; null when the home is not an absolute path. */
    public static Path file(Passwd.User u, String relative) {
        String dir = u.directory();
        if (dir.isEmpty() || dir.charAt(0) != '/') return null;
        try {
            return Path.of(dir).resolve(relative);
        } catch (InvalidPathException e) {
            return null;
        }
    }

    /**
     * The content of a file in a user's home, or null if it is missing, unreadable, bigger than max,
     * or not really the user's. We read as root, so a user must not be able to point these tables
     * at other files: the file's real path must stay inside the home (no symlink out of it, e.g.
     * ~/.bash_history -> /etc/shadow or ~/.ssh -> /root/.ssh), and it must be owned by the user,
     * or by root with a single link (a hard link to a root file is not the user's).
     */
    public static byte[] read(Passwd.User u, Path f, long max) {
        Path real = guarded(u, f);
        if (real == null) return null;
        try {
            if ((Long) Files.getAttribute(real, "size", LinkOption.NOFOLLOW_LINKS) > max) return null;
            try (SeekableByteChannel ch = Files.newByteChannel(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                byte[] b = Channels.newInputStream(ch).readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 8));
                return b.length > max ? null : b;
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null; // missing, vanished or unreadable
        }
    }

    /** The real path of f when {@link #read}'s rules let it be read for the user (a regular file), else null. */
    public static Path guarded(Passwd.User u, Path f) {
        try {
            Path home = Path.of(u.directory()).toRealPath();
            Path real = f.toRealPath();
            if (!real.startsWith(home)) return null;
            Map<String, Object> a = Files.readAttributes(real, "unix:uid,nlink,mode", LinkOption.NOFOLLOW_LINKS);
            if ((((Integer) a.get("mode")) & Libc.S_IFMT) != Libc.S_IFREG) return null;
            int owner = (Integer) a.get("uid");
            if (owner != (int) u.uid() && !(owner == 0 && (u.uid() == 0 || (Integer) a.get("nlink") == 1))) return null;
            return real;
        } catch (IOException | InvalidPathException | UnsupportedOperationException | SecurityException e) {
            return null; // missing, vanished or unreadable
        }
    }
}
