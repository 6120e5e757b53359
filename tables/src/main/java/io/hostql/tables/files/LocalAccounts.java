package io.hostql.tables.files;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * User and group names from /etc/passwd and /etc/group (getpwuid/getgrgid for local accounts),
 * parsed again only when a file changes. The first entry for an id wins, as with getpwuid.
 */
final class LocalAccounts {
    private final Path passwd;
    private final Path group;
    private Snapshot users = Snapshot.EMPTY;
    private Snapshot groups = Snapshot.EMPTY;

    LocalAccounts() {
        this(Path.of("/etc/passwd"), Path.of("/etc/group"));
    }

    LocalAccounts(Path passwd, Path group) {
        this.passwd = passwd;
        this.group = group;
    }

    /** The user name of a uid, or null if no local account has it. */
    synchronized String userName(long uid) {
        users = refresh(passwd, users);
        return users.names.get(uid);
    }

    /** The group name of a gid, or null. */
    synchronized String groupName(long gid) {
        groups = refresh(group, groups);
        return groups.names.get(gid);
    }

    private record Snapshot(String key, Map<Long, String> names) {
        static final Snapshot EMPTY = new Snapshot("", Map.of());
    }

    private static Snapshot refresh(Path file, Snapshot old) {
        FileStat st = FileStat.stat(FilePath.of(file.toString()));
        if (st == null) return Snapshot.EMPTY;
        String key = st.dev() + ":" + st.ino() + ":" + st.size() + ":" + st.mtime() + ":" + st.ctime();
        if (key.equals(old.key)) return old;
        try {
            return new Snapshot(key, parse(new String(Files.readAllBytes(file), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            return Snapshot.EMPTY;
        }
    }

    /** "name:password:id:..." lines; comments, blank and malformed lines are skipped. */
    static Map<Long, String> parse(String text) {
        Map<Long, String> out = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.split(":", -1);
            if (f.length < 3 || f[0].isEmpty()) continue;
            try {
                out.putIfAbsent(Long.parseLong(f[2].trim()), f[0].trim());
            } catch (NumberFormatException e) {
                // not an account line
            }
        }
        return out;
    }
}
