package io.hostql.tables.users;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.generateWhere;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static io.hostql.tables.TableTests.value;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsersAndGroupsTest {
    private static final String PASSWD = String.join("\n",
            "# a comment",
            "",
            "root:x:0:0:root:/root:/bin/bash",
            "   alice:x:1001:1001:Alice Liddell,Room 1,,:/home/alice:/bin/zsh",
            "nfsnobody:x:4294967294:4294967294:Anonymous NFS User:/var/lib/nfs:/sbin/nologin",
            "short:x:1002:1002",
            "nogecos:x:1003:1003::/home/nogecos:",
            "badid:x:abc:1:bad:/:/bin/sh",
            "missinggid:x:7",
            "+nisuser::::::",
            "dup:x:1001:50:second entry for uid 1001:/home/dup:/bin/sh",
            "crlf:x:1004:1004:dos line:/home/crlf:/bin/sh\r",
            "bob:x:1005:1005:no newline at end:/home/bob:/bin/sh");

    private static final String GROUP = String.join("\n",
            "root:x:0:",
            "# comment",
            "wheel:x:10:alice, bob ,,root",
            "alice:x:1001:",
            "staff:x:50:alice",
            "staff2:x:50:bob",
            "bad:x:notanumber:alice",
            "nomembers:x:60",
            "dupmember:x:70:alice,alice");

    @Test
    void parsesPasswdLikeGlibc(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("passwd");
        Files.writeString(f, PASSWD);
        List<Map<String, Object>> r = generate(new UsersTable(f));
        assertThat(r).extracting(m -> m.get("username")).containsExactly("root", "alice", "nfsnobody", "short", "nogecos", "dup", "crlf", "bob");
        Map<String, Object> alice = r.get(1);
        assertThat(alice).containsEntry("uid", 1001L).containsEntry("gid", 1001L).containsEntry("description", "Alice Liddell,Room 1,,")
                .containsEntry("directory", "/home/alice").containsEntry("shell", "/bin/zsh").containsEntry("pid_with_namespace", 0L)
                .containsEntry("include_remote", 0L);
        assertThat(alice.get("uuid")).isNull();
        Map<String, Object> nfs = r.get(2);
        assertThat(nfs).containsEntry("uid", 4294967294L).containsEntry("uid_signed", -2L).containsEntry("gid_signed", -2L);
        assertThat(r.get(3)).containsEntry("description", "").containsEntry("directory", "").containsEntry("shell", "");
        assertThat(r.get(6)).containsEntry("shell", "/bin/sh");
    }

    @Test
    void pushesDownUidAndUsername(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("passwd");
        Files.writeString(f, PASSWD);
        UsersTable t = new UsersTable(f);
        assertThat(generateWhere(t, "uid", 1001L)).extracting(m -> m.get("username")).containsExactly("alice", "dup");
        assertThat(generateWhere(t, "username", "bob")).extracting(m -> m.get("uid")).containsExactly(1005L);
        // osquery prefers the username list when both are given
        assertThat(generateWhere(t, "username", "bob", "uid", 0L)).extracting(m -> m.get("username")).containsExactly("bob");
    }

    @Test
    void parsesGroupsAndMembership(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("passwd"), g = dir.resolve("group");
        Files.writeString(p, PASSWD);
        Files.writeString(g, GROUP);
        Groups groups = Groups.read(g);
        assertThat(groups.byName("wheel").members()).containsExactly("alice", "bob", "root");
        assertThat(groups.byName("nomembers").members()).isEmpty();
        assertThat(groups.nameOf(50)).isEqualTo("staff");
        assertThat(groups.byName("bad")).isNull();

        assertThat(generate(new GroupsTable(g))).extracting(m -> m.get("groupname") + ":" + m.get("gid"))
                .containsExactly("root:0", "wheel:10", "alice:1001", "staff:50", "nomembers:60", "dupmember:70");
        assertThat(generateWhere(new GroupsTable(g), "gid", 50L)).extracting(m -> m.get("groupname")).containsExactly("staff");

        UserGroupsTable ug = new UserGroupsTable(p, g);
        // alice: primary first, then member groups in file order, no repeats
        assertThat(generateWhere(ug, "uid", 1001L)).extracting(m -> m.get("gid")).containsExactly(1001L, 10L, 50L, 70L);
        assertThat(generateWhere(ug, "uid", 1005L)).extracting(m -> m.get("gid")).containsExactly(1005L, 10L, 50L);
        // one set of rows per uid even though two entries share uid 1001
        assertThat(generate(ug).stream().filter(m -> m.get("uid").equals(1001L)).count()).isEqualTo(4);
    }

    @Test
    void passwdIsCachedUntilTheFileChanges() throws Exception {
        Passwd a = Passwd.system(), b = Passwd.system();
        assertThat(b).isSameAs(a);
        assertThat(a.nameOf(0)).isEqualTo("root");
        assertThat(Groups.system().nameOf(0)).isEqualTo("root");
    }

    @Test
    void usersMatchGetentFiles() {
        List<String> expected = lines(run("getent", "-s", "files", "passwd"));
        List<String> actual = rows("SELECT username, uid, gid, description, directory, shell FROM users").stream()
                .map(m -> m.get("username") + ":x:" + m.get("uid") + ":" + m.get("gid") + ":" + m.get("description") + ":"
                        + m.get("directory") + ":" + m.get("shell"))
                .toList();
        assertThat(actual).isNotEmpty().containsExactlyElementsOf(expected);
    }

    @Test
    void includeRemoteMatchesGetentThroughNss() {
        List<String> expected = lines(run("getent", "passwd"));
        List<String> actual = rows("SELECT username, uid, gid, description, directory, shell FROM users WHERE include_remote = 1").stream()
                .map(m -> m.get("username") + ":x:" + m.get("uid") + ":" + m.get("gid") + ":" + m.get("description") + ":"
                        + m.get("directory") + ":" + m.get("shell"))
                .toList();
        assertThat(new TreeSet<>(actual)).isEqualTo(new TreeSet<>(expected));
        assertThat(value("SELECT username FROM users WHERE include_remote = 1 AND uid = 0")).isEqualTo("root");
        assertThat(value("SELECT uid FROM users WHERE include_remote = 1 AND username = 'root'")).isEqualTo(0L);
    }

    @Test
    void sqlPushdownFindsRootByUidAndName() {
        assertThat(value("SELECT username FROM users WHERE uid = 0")).isEqualTo("root");
        assertThat(value("SELECT directory FROM users WHERE username = 'root'")).isEqualTo(run("getent", "passwd", "root").split(":")[5]);
        assertThat(value("SELECT count(*) FROM users WHERE uid IN (0, 4294967290)")).isEqualTo(1L);
    }

    @Test
    void groupsMatchGetentFiles() {
        List<String> expected = new ArrayList<>();
        TreeSet<String> seenGids = new TreeSet<>();
        for (String l : lines(run("getent", "-s", "files", "group"))) {
            String[] f = l.split(":");
            if (seenGids.add(f[2])) expected.add(f[0] + ":" + f[2]);
        }
        List<String> actual = rows("SELECT groupname, gid, gid_signed FROM groups").stream()
                .map(m -> m.get("groupname") + ":" + m.get("gid")).toList();
        assertThat(actual).isNotEmpty().containsExactlyElementsOf(expected);
        assertThat(value("SELECT groupname FROM groups WHERE gid = 0")).isEqualTo("root");
    }

    @Test
    void userGroupsMatchIdForEveryUser() {
        int checked = 0;
        TreeSet<Object> seen = new TreeSet<>();
        for (Map<String, Object> u : rows("SELECT uid, username FROM users")) {
            if (!seen.add(u.get("uid"))) continue; // user_groups follows the first entry of a shared uid
            String name = (String) u.get("username");
            String id = run("id", "-G", name).strip();
            if (id.isEmpty()) continue; // a name id cannot resolve (duplicate uid etc.)
            List<Long> expected = Arrays.stream(id.split("\\s+")).map(Long::parseLong).toList();
            List<Long> actual = rows("SELECT gid FROM user_groups WHERE uid = ?", u.get("uid")).stream().map(m -> (Long) m.get("gid")).toList();
            assertThat(new TreeSet<>(actual)).as("groups of " + name).isEqualTo(new TreeSet<>(expected));
            checked++;
        }
        assertThat(checked).isGreaterThan(0);
        assertThat(rows("SELECT gid FROM user_groups WHERE uid = 0")).extracting(m -> m.get("gid")).first().isEqualTo(0L);
    }

    private static List<String> lines(String s) {
        return Arrays.stream(s.split("\n")).filter(l -> !l.isBlank()).collect(Collectors.toList());
    }
}
