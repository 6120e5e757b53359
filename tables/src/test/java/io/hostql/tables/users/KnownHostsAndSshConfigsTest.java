package io.hostql.tables.users;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.generateWhere;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.homeUid;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** known_hosts against ssh-keygen -F, ssh_configs against ssh -G, on files the test writes in a home. */
class KnownHostsAndSshConfigsTest {
    private static final long UID = homeUid();

    /** A passwd file with one user whose home is a temp directory. */
    private static Path home(Path dir) throws Exception {
        Path home = dir.resolve("home");
        Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(dir.resolve("passwd"), "root:x:0:0:root:/nonexistent-root:/bin/sh\n"
                + "tester:x:" + UID + ":" + UID + ":Tester:" + home + ":/bin/bash\n");
        return home;
    }

    @Test
    void knownHostsAgreeWithSshKeygen(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(hasCommand("ssh-keygen"), "ssh-keygen (openssh-client) makes the keys and is the witness");
        Path ssh = home(dir).resolve(".ssh");
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", dir.resolve("hostkey").toString());
        String pub = Files.readString(dir.resolve("hostkey.pub")).strip();
        Path kh = ssh.resolve("known_hosts");
        // ssh-keyscan-style lines; the second file is hashed by ssh-keygen -H, as ssh's HashKnownHosts does
        Files.writeString(kh, "# known hosts\nplain.example.org,10.0.0.7 " + pub + "\n\n[alt.example.org]:2222 " + pub + "\n");
        Path hashed = dir.resolve("hashed");
        Files.writeString(hashed, "hashed.example.org " + pub + "\n");
        run("ssh-keygen", "-q", "-H", "-f", hashed.toString());
        Files.writeString(kh, Files.readString(kh) + "  @cert-authority *.example.org " + pub + "  \n" + Files.readString(hashed));
        List<Map<String, Object>> r = generate(new KnownHostsTable(dir.resolve("passwd")));
        assertThat(r).hasSize(4).allSatisfy(m -> assertThat(m).containsEntry("uid", UID).containsEntry("key_file", kh.toString()));
        // each host ssh-keygen finds is the line the table gives, hashed entries as they are in the file
        for (String host : new String[] {"plain.example.org", "10.0.0.7", "[alt.example.org]:2222", "hashed.example.org"}) {
            String found = run("ssh-keygen", "-F", host, "-f", kh.toString()).lines().filter(l -> !l.startsWith("#"))
                    .findFirst().orElseThrow(() -> new AssertionError("ssh-keygen does not find " + host)).strip();
            assertThat(r).extracting(m -> m.get("key")).as(host).contains(found);
        }
        assertThat(r.get(3).get("key").toString()).startsWith("|1|");
        assertThat(r.get(2)).containsEntry("key", "@cert-authority *.example.org " + pub);
        assertThat(generateWhere(new KnownHostsTable(dir.resolve("passwd")), "uid", 0L)).isEmpty();
    }

    @Test
    void realKnownHostsJoinUsers() {
        // Fleet-style: hosts each user has trusted, by user name
        for (Map<String, Object> row : rows("SELECT u.username, u.directory, k.key_file, k.key FROM users u JOIN known_hosts k USING (uid)")) {
            assertThat((String) row.get("key_file")).isEqualTo(Path.of((String) row.get("directory")).resolve(".ssh/known_hosts").toString());
        }
        assertThat(rows("SELECT * FROM known_hosts WHERE uid = -12345")).isEmpty();
    }

    @Test
    void sshConfigsAgreeWithSshG(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(hasCommand("ssh"), "ssh -G (openssh-client) evaluates the config and is the witness");
        Path config = home(dir).resolve(".ssh/config");
        Files.writeString(config, "# user config\nCompression yes\n\nHost bastion\n    HostName 10.9.8.7\n    Port 2222\n"
                + "    User Alice\n\nMatch user nobody\n  ServerAliveInterval 30\nHost *.internal\n\tForwardAgent yes\n");
        Path system = dir.resolve("ssh_config");
        Files.writeString(system, "Host *\n    SendEnv LANG LC_*\n    HashKnownHosts yes\n");
        SshConfigsTable t = new SshConfigsTable(dir.resolve("passwd"), system);
        List<Map<String, Object>> r = generate(t);
        assertThat(r).extracting(m -> m.get("uid") + "|" + m.get("block") + "|" + m.get("option")).containsExactly(
                UID + "||compression yes", UID + "|host bastion|hostname 10.9.8.7", UID + "|host bastion|port 2222",
                UID + "|host bastion|user alice", UID + "|match user nobody|serveraliveinterval 30",
                UID + "|host *.internal|forwardagent yes", "0|host *|sendenv lang lc_*", "0|host *|hashknownhosts yes");
        assertThat(r.get(0)).containsEntry("ssh_config_file", config.toString());
        assertThat(r.get(7)).containsEntry("ssh_config_file", system.toString());
        // what ssh itself makes of the bastion block: each option of the block and of the top is in its evaluation
        String evaluated = run("ssh", "-G", "-F", config.toString(), "bastion").toLowerCase(Locale.ROOT);
        for (Map<String, Object> m : r) {
            String block = (String) m.get("block");
            if (m.get("uid").equals(0L) || !(block.isEmpty() || block.equals("host bastion"))) continue;
            assertThat(evaluated).as(m.get("option").toString()).contains((String) m.get("option"));
        }
        assertThat(generateWhere(t, "uid", 0L)).extracting(m -> m.get("uid")).containsOnly(0L);
    }

    @Test
    void realSystemSshConfig() throws Exception {
        Path system = SshConfigsTable.SYSTEM_CONFIG;
        Assumptions.assumeTrue(Files.isReadable(system), "/etc/ssh/ssh_config (openssh-client)");
        long options = Files.readAllLines(system).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .filter(l -> !l.toLowerCase(Locale.ROOT).startsWith("host ") && !l.toLowerCase(Locale.ROOT).startsWith("match "))
                .count();
        List<Map<String, Object>> r = rows("SELECT * FROM ssh_configs WHERE ssh_config_file = ?", system.toString());
        assertThat(r).hasSize((int) options).allSatisfy(m -> assertThat(m).containsEntry("uid", 0L));
        // joined with users as Fleet does: options per user name
        assertThat(rows("SELECT u.username, s.option FROM ssh_configs s JOIN users u USING (uid) WHERE s.option LIKE 'sendenv%'"))
                .allSatisfy(m -> assertThat(m.get("option").toString()).startsWith("sendenv"));
    }
}
