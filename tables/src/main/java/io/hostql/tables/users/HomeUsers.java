package io.hostql.tables.users;

import io.hostql.sql.table.QueryContext;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The users whose home directories a per-user table (authorized_keys, user_ssh_keys,
 * shell_history) scans: those with a pushed-down uid, else all of them, as osquery's
 * usersFromContext selects them from the users table.
 */
final class HomeUsers {
    private HomeUsers() {}

    /** passwdFile: read instead of /etc/passwd (tests); null for the system file. */
    static List<Passwd.User> of(QueryContext ctx, Path passwdFile) throws IOException {
        Passwd db = passwdFile == null ? Passwd.system() : Passwd.read(passwdFile);
        Set<Long> uids = ctx.equalsLong("uid");
        if (uids.isEmpty()) return db.users();
        List<Passwd.User> out = new ArrayList<>();
        for (Passwd.User u : db.users()) if (uids.contains(u.uid())) out.add(u);
        return out;
    }

    /** A file under the user's home, as osquery joins them; null when the home is not an absolute path. */
    static Path file(Passwd.User u, String relative) {
        String dir = u.directory();
        if (dir.isEmpty() || dir.charAt(0) != '/' || dir.indexOf('\0') >= 0) return null;
        try {
            return Path.of(dir).resolve(relative);
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
    }
}
