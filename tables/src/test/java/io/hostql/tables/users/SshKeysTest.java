package io.hostql.tables.users;

import static io.hostql.tables.TableTests.homeUid;
import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.generateWhere;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshKeysTest {
    private static final long UID = homeUid();
    private static byte[] fixture(String name) throws Exception {
        try (InputStream in = SshKeysTest.class.getResourceAsStream("/users/keys/" + name)) {
            return in.readAllBytes();
        }
    }

    /** A passwd file with one user whose home is a temp directory. */
    private static Path home(Path dir, long uid) throws Exception {
        Path home = dir.resolve("home");
        Files.createDirectories(home.resolve(".ssh"));
        Files.writeString(dir.resolve("passwd"), "root:x:0:0:root:/nonexistent-root:/bin/sh\n"
                + "tester:x:" + uid + ":" + uid + ":Tester:" + home + ":/bin/bash\n");
        return home;
    }

    @Test
    void splitsAuthorizedKeyLines() {
        String ed = "AAAAC3NzaC1lZDI1NTE5AAAAIHm2Xcf6vP5qJ5Lh6ly3eB8uC8yqlJd8xG2L9l0k4Z0a";
        assertThat(AuthorizedKeysTable.parseLine("ssh-ed25519 " + ed + " alice@laptop"))
                .isEqualTo(new AuthorizedKeysTable.Key("ssh-ed25519", ed, null, "alice@laptop"));
        assertThat(AuthorizedKeysTable.parseLine("  ssh-ed25519\t" + ed + "  "))
                .isEqualTo(new AuthorizedKeysTable.Key("ssh-ed25519", ed, null, null));
        assertThat(AuthorizedKeysTable.parseLine("from=\"10.0.0.0/8\",command=\"echo ssh-rsa is not the type\",no-pty ssh-ed25519 " + ed + " a comment with spaces"))
                .isEqualTo(new AuthorizedKeysTable.Key("ssh-ed25519", ed,
                        "from=\"10.0.0.0/8\",command=\"echo ssh-rsa is not the type\",no-pty", "a comment with spaces"));
        assertThat(AuthorizedKeysTable.parseLine("restrict,command=\"say \\\"hi there\\\"\" ecdsa-sha2-nistp256 AAAAE2 c"))
                .isEqualTo(new AuthorizedKeysTable.Key("ecdsa-sha2-nistp256", "AAAAE2", "restrict,command=\"say \\\"hi there\\\"\"", "c"));
        assertThat(AuthorizedKeysTable.parseLine("sk-ssh-ed25519@openssh.com AAAAGn key"))
                .extracting(AuthorizedKeysTable.Key::algorithm).isEqualTo("sk-ssh-ed25519@openssh.com");
        assertThat(AuthorizedKeysTable.parseLine("zos-key-ring-label=\"KeyRing01 label\""))
                .isEqualTo(new AuthorizedKeysTable.Key(null, null, "zos-key-ring-label=\"KeyRing01 label\"", null));
        assertThat(AuthorizedKeysTable.parseLine("# ssh-rsa AAAA commented out")).isNull();
        assertThat(AuthorizedKeysTable.parseLine("")).isNull();
        assertThat(AuthorizedKeysTable.parseLine("ssh-rsa")).isNull();
        assertThat(AuthorizedKeysTable.parseLine("garbage line without key")).isNull();
        assertThat(AuthorizedKeysTable.parseLine("ssh-rsaX AAAA notatype")).isNull();
    }

    @Test
    void authorizedKeysOfAHome(@TempDir Path dir) throws Exception {
        Path home = home(dir, UID);
        String pub = new String(fixture("ssh_ed25519.pub")).strip();
        Files.writeString(home.resolve(".ssh/authorized_keys"), "# managed\n" + pub + "\r\n\nno-agent-forwarding " + pub + "\n");
        Files.writeString(home.resolve(".ssh/authorized_keys2"), pub.replace(" test", "") + "\n");
        AuthorizedKeysTable t = new AuthorizedKeysTable(dir.resolve("passwd"));
        List<Map<String, Object>> r = generate(t);
        String[] parts = pub.split(" ");
        assertThat(r).hasSize(3);
        assertThat(r.get(0)).containsEntry("uid", UID).containsEntry("algorithm", "ssh-ed25519").containsEntry("key", parts[1])
                .containsEntry("options", null).containsEntry("comment", "test")
                .containsEntry("key_file", home.resolve(".ssh/authorized_keys").toString());
        assertThat(r.get(1)).containsEntry("options", "no-agent-forwarding");
        assertThat(r.get(2)).containsEntry("comment", null).containsEntry("key_file", home.resolve(".ssh/authorized_keys2").toString());
        assertThat(generateWhere(t, "uid", UID)).hasSize(3);
        assertThat(generateWhere(t, "uid", 0L)).isEmpty();
    }

    @Test
    void realAuthorizedKeysAgreeWithSshKeygen() throws Exception {
        Assumptions.assumeTrue(hasCommand("ssh-keygen"), "ssh-keygen is the witness");
        int files = 0;
        for (Map<String, Object> u : rows("SELECT uid, directory FROM users")) {
            for (String name : new String[] {".ssh/authorized_keys", ".ssh/authorized_keys2"}) {
                Path f = Path.of((String) u.get("directory")).resolve(name);
                if (!Files.isRegularFile(f)) continue;
                files++;
                // ssh-keygen -l prints one "<bits> <fingerprint> <comment> (<TYPE>)" line per key it can read
                long keys = run("ssh-keygen", "-l", "-f", f.toString()).lines().filter(l -> l.contains("SHA256:")).count();
                long rowsForFile = rows("SELECT count(*) AS n FROM authorized_keys WHERE uid = ? AND key_file = ?", u.get("uid"), f.toString())
                        .stream().mapToLong(m -> (Long) m.get("n")).sum();
                assertThat(rowsForFile).as(f.toString()).isEqualTo(keys);
            }
        }
        if (files == 0) assertThat(rows("SELECT * FROM authorized_keys")).as("no authorized_keys files on this host").isEmpty();
    }

    @Test
    void recognisesPrivateKeyFormats() throws Exception {
        // expected values as OpenSSL 3 reports them (EVP_PKEY_bits, EVP_PKEY_security_bits, EVP_PKEY_get_group_name)
        assertThat(PrivateKeys.parse(fixture("rsa1024_pkcs1.pem"))).isEqualTo(new PrivateKeys.Info(false, "rsa", "", 1024, 80));
        assertThat(PrivateKeys.parse(fixture("ec384_sec1.pem"))).isEqualTo(new PrivateKeys.Info(false, "ec", "secp384r1", 384, 192));
        assertThat(PrivateKeys.parse(fixture("cert_then_ec384.pem"))).isEqualTo(new PrivateKeys.Info(false, "ec", "secp384r1", 384, 192));
        assertThat(PrivateKeys.parse(fixture("ed25519_pkcs8.pem"))).isEqualTo(new PrivateKeys.Info(false, "ed25519", "", 256, 128));
        assertThat(PrivateKeys.parse(fixture("enc_pkcs8.pem"))).isEqualTo(new PrivateKeys.Info(true, "", "", -1, -1));
        assertThat(PrivateKeys.parse(fixture("rsa2048_enc_pkcs1.pem"))).isEqualTo(new PrivateKeys.Info(true, "", "", -1, -1));
        // OpenSSH format: the public half is readable even when the key is encrypted
        assertThat(PrivateKeys.parse(fixture("ssh_ed25519"))).isEqualTo(new PrivateKeys.Info(false, "ed25519", "", 256, 128));
        assertThat(PrivateKeys.parse(fixture("ssh_ed25519_enc"))).isEqualTo(new PrivateKeys.Info(true, "ed25519", "", 256, 128));
        assertThat(PrivateKeys.parse(fixture("ssh_ec256"))).isEqualTo(new PrivateKeys.Info(false, "ec", "prime256v1", 256, 128));
        assertThat(PrivateKeys.parse(fixture("ssh_ed25519.pub"))).isNull();
        assertThat(PrivateKeys.parse("-----BEGIN RSA PRIVATE KEY-----\nnot base64 der\n-----END RSA PRIVATE KEY-----\n".getBytes())).isNull();
        assertThat(PrivateKeys.parse(new byte[] {0, 1, 2, (byte) 0xff})).isNull();
    }

    @Test
    void rsaSecurityBitsFollowOpenSsl() {
        // measured with OpenSSL 3.0 EVP_PKEY_security_bits on generated keys
        int[][] cases = {{512, 56}, {1024, 80}, {1200, 88}, {1536, 96}, {2048, 112}, {2300, 112}, {2500, 120}, {3000, 128},
                {3072, 128}, {4096, 152}, {7000, 192}};
        for (int[] c : cases) assertThat(PrivateKeys.rsaSecurityBits(c[0])).as(c[0] + " bits").isEqualTo(c[1]);
        assertThat(PrivateKeys.bnSecurityBits(2048, 224)).isEqualTo(112);
        assertThat(PrivateKeys.bnSecurityBits(1024, 160)).isEqualTo(80);
    }

    @Test
    void userSshKeysOfAHome(@TempDir Path dir) throws Exception {
        Path ssh = home(dir, UID).resolve(".ssh");
        Files.write(ssh.resolve("id_ed25519"), fixture("ssh_ed25519"));
        Files.write(ssh.resolve("id_ed25519.pub"), fixture("ssh_ed25519.pub"));
        Files.write(ssh.resolve("id_enc"), fixture("ssh_ed25519_enc"));
        Files.write(ssh.resolve("legacy.pem"), fixture("rsa1024_pkcs1.pem"));
        Files.writeString(ssh.resolve("known_hosts"), "host ssh-ed25519 AAAA\n");
        Files.createDirectories(ssh.resolve("subdir"));
        Files.write(ssh.resolve("subdir/id_hidden"), fixture("ssh_ed25519"));
        UserSshKeysTable t = new UserSshKeysTable(dir.resolve("passwd"));
        List<Map<String, Object>> r = generate(t);
        assertThat(r).extracting(m -> m.get("path") + " " + m.get("encrypted") + " " + m.get("key_type") + " " + m.get("key_length"))
                .containsExactly(ssh.resolve("id_ed25519") + " 0 ed25519 256", ssh.resolve("id_enc") + " 1 ed25519 256",
                        ssh.resolve("legacy.pem") + " 0 rsa 1024");
        assertThat(r.get(2)).containsEntry("uid", UID).containsEntry("key_security_bits", 80L).containsEntry("key_group_name", "");
        assertThat(generateWhere(t, "path", ssh.resolve("legacy.pem").toString())).hasSize(1);
        assertThat(generateWhere(t, "path", "/etc/passwd")).isEmpty();
        assertThat(generateWhere(t, "uid", 0L)).isEmpty();
    }

    @Test
    void generatedKeysAgreeWithSshKeygen(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(hasCommand("ssh-keygen"), "ssh-keygen makes the keys and is the witness");
        Path ssh = home(dir, UID).resolve(".ssh");
        String[][] specs = {{"rsa", "3072", "rsa"}, {"ecdsa", "384", "ec"}, {"ed25519", "256", "ed25519"}};
        for (String[] s : specs) {
            Path key = ssh.resolve("id_" + s[0]);
            run("ssh-keygen", "-q", "-t", s[0], "-b", s[1], "-N", "", "-C", "gen", "-f", key.toString());
            Assumptions.assumeTrue(Files.exists(key), "ssh-keygen made " + key);
            // "<bits> SHA256:... gen (<TYPE>)"
            String bits = run("ssh-keygen", "-l", "-f", key.toString()).split(" ")[0];
            List<Map<String, Object>> r = generateWhere(new UserSshKeysTable(dir.resolve("passwd")), "path", key.toString());
            assertThat(r).hasSize(1);
            assertThat(r.get(0)).containsEntry("key_type", s[2]).containsEntry("key_length", Long.parseLong(bits)).containsEntry("encrypted", 0L);
        }
    }

    @Test
    void realUserSshKeysRun() throws Exception {
        // every row names a file in its user's ~/.ssh that really holds a private key
        for (Map<String, Object> r : rows("SELECT u.directory, k.path FROM user_ssh_keys k JOIN users u USING (uid)")) {
            Path p = Path.of((String) r.get("path"));
            assertThat(p.getParent()).isEqualTo(Path.of((String) r.get("directory")).resolve(".ssh"));
            assertThat(Files.readString(p)).contains("PRIVATE KEY");
        }
        assertThat(rows("SELECT * FROM user_ssh_keys WHERE uid = 0 AND path = '/etc/passwd'")).isEmpty();
    }
}
