package io.hostql.tables.files;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.tables.TableTests;
import io.hostql.tables.TableTests.Child;
import io.hostql.tables.users.Groups;
import io.hostql.tables.users.Passwd;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuidBinTableTest {
    @TempDir
    Path tmp;

    @Test
    void usrBinAndSbinMatchFind() {
        // find -L follows symlinks to check a file, as osquery does (it lists a link to a setuid binary).
        Set<String> expected = new TreeSet<>(Arrays.asList(
                run("find", "-L", "/usr/bin", "/usr/sbin", "-perm", "/6000", "-type", "f").trim().split("\n")));
        expected.remove("");
        List<Map<String, Object>> r = rows("SELECT * FROM suid_bin WHERE path LIKE '/usr/bin/%' OR path LIKE '/usr/sbin/%'");
        Set<String> actual = r.stream().map(m -> (String) m.get("path")).collect(Collectors.toCollection(TreeSet::new));
        assertThat(actual).isEqualTo(expected);
        for (Map<String, Object> m : r) {
            String p = (String) m.get("path");
            String[] s = run("stat", "-Lc", "%U|%G|%a", p).trim().split("\\|");
            int mode = Integer.parseInt(s[2], 8);
            String perms = ((mode & 04000) != 0 ? "S" : "") + ((mode & 02000) != 0 ? "G" : "");
            assertThat(m.get("username")).as(p).isEqualTo(s[0]);
            assertThat(m.get("groupname")).as(p).isEqualTo(s[1]);
            assertThat(m.get("permissions")).as(p).isEqualTo(perms);
        }
        assertThat(expected).as("a Debian host has setuid binaries (passwd, su, ...)").contains("/usr/bin/passwd");
    }

    @Test
    void findsSetIdFilesRecursivelyWithoutEnteringSymlinkedDirectories() throws Exception {
        Assumptions.assumeTrue(TableTests.isRoot(), "needs root: chown to an id without a local account");
        Path suid = write("bin/suid", 04755);
        write("bin/sgid", 02755);
        write("bin/both", 06755);
        write("bin/plain", 0755);
        write("bin/nested/deep/suid2", 04711);
        Files.createSymbolicLink(tmp.resolve("bin/link-to-suid"), Path.of("suid"));
        Files.createDirectories(tmp.resolve("elsewhere"));
        write("elsewhere/hidden-suid", 04755);
        Files.createSymbolicLink(tmp.resolve("bin/linked-dir"), tmp.resolve("elsewhere"));
        run("chown", "4242:4343", suid.toString());
        run("chmod", "4755", suid.toString()); // chown cleared the setuid bit

        SuidBinTable table = new SuidBinTable(List.of(tmp + "/bin", tmp + "/missing"),
                passwd("root:x:0:0::/root:/bin/sh\n"), group("root:x:0:\n"));
        Map<String, String> out = new HashMap<>();
        for (Map<String, Object> r : generate(table)) {
            out.put((String) r.get("path"), r.get("username") + "|" + r.get("groupname") + "|" + r.get("permissions"));
        }
        String b = tmp + "/bin/";
        assertThat(out).containsOnly(
                Map.entry(b + "both", "root|root|SG"), Map.entry(b + "sgid", "root|root|G"),
                Map.entry(b + "suid", "4242|4343|S"), Map.entry(b + "link-to-suid", "4242|4343|S"),
                Map.entry(b + "nested/deep/suid2", "root|root|S"));
    }

    @Test
    void accountParserSkipsCommentsBlankAndMalformedLines() {
        // Owners are named by the users area's glibc-compatible parser. " 7 " is not a uid to glibc's
        // fgetpwent (checked: it drops the line), so uid 7 has no name and suid_bin shows "7".
        Passwd p = Passwd.parse(("# comment\n\nroot:x:0:0:root:/root:/bin/bash\n"
                + "  spaced :x: 7 :7::/:\n+nis::::::\nbroken\nnoid:x::1::/:\nroot2:x:0:0::/:\ndaemon:x:1:1::/:/usr/sbin/nologin")
                .getBytes(StandardCharsets.UTF_8));
        Map<Long, String> m = new HashMap<>();
        for (Passwd.User u : p.users()) m.putIfAbsent(u.uid(), p.nameOf(u.uid()));
        assertThat(m).containsOnly(Map.entry(0L, "root"), Map.entry(1L, "daemon"));
        assertThat(p.nameOf(7)).isNull();
    }

    @Test
    void accountsFollowFileChanges() throws Exception {
        Path p = passwd("alice:x:1000:1000::/home/alice:/bin/sh\n");
        Path g = group("staff:x:50:\n");
        assertThat(Passwd.cached(p).nameOf(1000)).isEqualTo("alice");
        assertThat(Groups.cached(g).nameOf(50)).isEqualTo("staff");
        assertThat(Passwd.cached(p).nameOf(1001)).isNull();
        Files.writeString(p, "alice:x:1000:1000::/home/alice:/bin/sh\nbob:x:1001:1001::/home/bob:/bin/sh\n");
        assertThat(Passwd.cached(p).nameOf(1001)).isEqualTo("bob");
    }

    @Test
    void namesOwnersWithTheAccountsOfTheMountNamespace() throws Exception {
        Assumptions.assumeTrue(TableTests.isRoot(), "needs root: creates a mount namespace and setns(2)s into it");
        Assumptions.assumeTrue(TableTests.hasCommand("unshare"), "needs unshare (util-linux)");
        Files.writeString(tmp.resolve("passwd"), Files.readString(Path.of("/etc/passwd")) + "nsuser:x:4242:4343::/:/bin/sh\n");
        Files.writeString(tmp.resolve("group"), Files.readString(Path.of("/etc/group")) + "nsgroup:x:4343:\n");
        // In its own mount namespace: a setuid file in /usr/local/bin, and account files that name its owner.
        try (Child ns = MountNamespacesTest.privateNamespace(
                "mount -t tmpfs none /usr/local/bin && printf '#!/bin/sh\\n' > /usr/local/bin/nsprobe"
                        + " && chown 4242:4343 /usr/local/bin/nsprobe && chmod 4755 /usr/local/bin/nsprobe"
                        + " && mount --bind \"$1/passwd\" /etc/passwd && mount --bind \"$1/group\" /etc/group", tmp.toString())) {
            List<Map<String, Object>> inside = rows("SELECT path, username, groupname, permissions FROM suid_bin "
                    + "WHERE path = '/usr/local/bin/nsprobe' AND pid_with_namespace = ?", ns.pid());
            assertThat(inside).extracting(m -> m.get("username") + "|" + m.get("groupname") + "|" + m.get("permissions"))
                    .containsExactly("nsuser|nsgroup|S");
            assertThat(rows("SELECT path FROM suid_bin WHERE path = '/usr/local/bin/nsprobe'")).as("not on the host").isEmpty();
        }
    }

    private Path write(String rel, int mode) throws Exception {
        Path p = tmp.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "#!/bin/sh\n");
        run("chmod", Integer.toOctalString(mode), p.toString());
        return p;
    }

    private Path passwd(String text) throws Exception {
        return Files.writeString(tmp.resolve("passwd"), text, StandardCharsets.UTF_8);
    }

    private Path group(String text) throws Exception {
        return Files.writeString(tmp.resolve("group"), text, StandardCharsets.UTF_8);
    }
}
