package io.hostql.tables.files;

import static io.hostql.tables.TableTests.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.tables.TableTests;
import io.hostql.tables.TableTests.Child;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountNamespacesTest {
    @TempDir
    Path tmp;

    @Test
    void withoutTheConstraintRowsAreTheHostsWithPidZero() {
        Map<String, Object> r = rows("SELECT pid_with_namespace, mount_namespace_id FROM file WHERE path = '/etc/passwd'").get(0);
        assertThat(r).containsEntry("pid_with_namespace", 0L).containsEntry("mount_namespace_id", null);
    }

    @Test
    void ownPidAndMissingPid() {
        long self = ProcessHandle.current().pid();
        Map<String, Object> r = rows("SELECT pid_with_namespace, mount_namespace_id FROM hash WHERE path = '/etc/passwd' "
                + "AND pid_with_namespace = ?", self).get(0);
        assertThat(r.get("pid_with_namespace")).isEqualTo(self);
        assertThat(r.get("mount_namespace_id")).isEqualTo(MountNamespaces.namespaceId("self"));
        assertThat((String) r.get("mount_namespace_id")).matches("[0-9]+");
        assertThat(rows("SELECT * FROM file WHERE path = '/etc/passwd' AND pid_with_namespace = 999999999")).isEmpty();
    }

    @Test
    void tablesSeeAnotherMountNamespace() throws Exception {
        Assumptions.assumeTrue(TableTests.isRoot(), "needs root: creates a mount namespace and setns(2)s into it");
        Assumptions.assumeTrue(TableTests.hasCommand("unshare"), "needs unshare (util-linux)");
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        try (Child ns = privateNamespace("mount -t tmpfs none \"$1\" && printf inside > \"$1/secret\"", mnt.toString())) {
            long pid = ns.pid();
            String secret = mnt + "/secret";
            String id = MountNamespaces.namespaceId(Long.toString(pid));
            assertThat(id).isNotEqualTo(MountNamespaces.namespaceId("self"));

            assertThat(rows("SELECT * FROM file WHERE path = ?", secret)).as("invisible from the host").isEmpty();
            Map<String, Object> f = rows("SELECT path, size, type, pid_with_namespace, mount_namespace_id FROM file "
                    + "WHERE path = ? AND pid_with_namespace = ?", secret, pid).get(0);
            assertThat(f).containsEntry("size", 6L).containsEntry("type", "regular")
                    .containsEntry("pid_with_namespace", pid).containsEntry("mount_namespace_id", id);

            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest("inside".getBytes(StandardCharsets.UTF_8)));
            List<Map<String, Object>> h = rows("SELECT path, sha256 FROM hash WHERE directory = ? AND pid_with_namespace = ?", mnt.toString(), pid);
            assertThat(h).extracting(m -> m.get("path") + "|" + m.get("sha256")).containsExactly(secret + "|" + sha);
            assertThat(rows("SELECT path FROM file WHERE path LIKE ? AND pid_with_namespace = ?", mnt + "/%", pid))
                    .extracting(m -> m.get("path")).containsExactly(secret);
        }
    }

    /** A shell in its own private mount namespace (root only): it runs setup, then waits until closed. */
    static Child privateNamespace(String setup, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
                setup + " && echo ready && exec sleep 300", "sh"));
        cmd.addAll(List.of(args));
        Child ns = new Child(new ProcessBuilder(cmd).redirectErrorStream(true).start());
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(ns.process().getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("ready");
        } catch (Throwable e) {
            ns.close();
            throw e;
        }
        return ns;
    }
}
