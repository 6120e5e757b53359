package io.hostql.tables.users;

import io.hostql.tables.users.Passwd.Cached;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The local group database, parsed from /etc/group the way glibc's fgetgrent does. {@link #system()}
 * re-parses only when the file changes, so mapping gids to names per query is cheap.
 */
public final class Groups {
    public static final Path ETC_GROUP = Path.of("/etc/group");

    /** One group entry; gid is the unsigned 32-bit id, members the explicit member list. */
    public record Group(String name, long gid, List<String> members) {
        public long gidSigned() {
            return (int) gid;
        }
    }

    private static final Groups EMPTY = new Groups(List.of());
    private static final Map<Path, Cached<Groups>> CACHE = new ConcurrentHashMap<>();

    private final List<Group> groups;
    private final Map<Long, Group> byGid = new HashMap<>();
    private final Map<String, Group> byName = new HashMap<>();
    private volatile Map<String, List<Long>> memberOf;

    private Groups(List<Group> groups) {
        this.groups = Collections.unmodifiableList(groups);
        for (Group g : groups) {
            byGid.putIfAbsent(g.gid(), g);
            byName.putIfAbsent(g.name(), g);
        }
    }

    /** /etc/group, re-read only when it changed since the last call. */
    public static Groups system() throws IOException {
        return cached(ETC_GROUP);
    }

    /** A group-format file, re-read only when it changed since the last call for it. */
    public static Groups cached(Path file) throws IOException {
        return Cached.get(CACHE, file, Groups::read);
    }

    /** {@link #cached}, or an empty database when the file cannot be read (callers that can go on without names). */
    public static Groups cachedOrEmpty(Path file) {
        return Cached.getOrElse(CACHE, file, Groups::read, EMPTY);
    }

    /** A group-format file; a missing file is an empty database. */
    public static Groups read(Path file) throws IOException {
        try {
            return parse(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return EMPTY;
        }
    }

    public static Groups parse(byte[] content) {
        List<Group> out = new ArrayList<>();
        for (String line : Cached.lines(content)) {
            Group g = parseLine(line);
            if (g != null) out.add(g);
        }
        return new Groups(out);
    }

    /** name:passwd:gid[:member,member...]; a bad gid or an NIS compat line (+/-) yields null. */
    static Group parseLine(String line) {
        String[] f = line.split(":", 4);
        if (f.length < 3 || f[0].isEmpty() || f[0].charAt(0) == '+' || f[0].charAt(0) == '-') return null;
        long gid = Cached.parseId(f[2]);
        if (gid < 0) return null;
        List<String> members = new ArrayList<>();
        if (f.length > 3) {
            for (String m : f[3].split(",")) {
                String t = m.strip();
                if (!t.isEmpty()) members.add(t);
            }
        }
        return new Group(f[0], gid, List.copyOf(members));
    }

    public List<Group> groups() {
        return groups;
    }

    /** The first entry with this gid, as getgrgid answers; null if none. */
    public Group byGid(long gid) {
        return byGid.get(gid);
    }

    public Group byName(String name) {
        return byName.get(name);
    }

    /** The group name of a gid, or null. */
    public String nameOf(long gid) {
        Group g = byGid.get(gid);
        return g == null ? null : g.name();
    }

    /**
     * A user's groups as getgrouplist(3) lists them: the primary gid first, then every group naming
     * the user as a member, in file order, without repeats.
     */
    public List<Long> groupsOf(String user, long primaryGid) {
        Set<Long> out = new LinkedHashSet<>();
        out.add(primaryGid);
        out.addAll(memberOf().getOrDefault(user, List.of()));
        return List.copyOf(out);
    }

    private Map<String, List<Long>> memberOf() {
        Map<String, List<Long>> m = memberOf;
        if (m == null) {
            m = new HashMap<>();
            for (Group g : groups) for (String u : g.members()) m.computeIfAbsent(u, k -> new ArrayList<>()).add(g.gid());
            memberOf = m;
        }
        return m;
    }
}
