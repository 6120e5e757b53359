package io.hostql.tables.users;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.homeUid;
import static io.hostql.tables.TableTests.isRoot;
import static io.hostql.tables.TableTests.generateWhere;
import static io.hostql.tables.TableTests.rows;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShellHistoryTableTest {
    private static final long UID = homeUid();
    private static List<String> parse(byte[] content, boolean zsh) {
        List<String> out = new ArrayList<>();
        ShellHistoryTable.parse(content, zsh, (t, c) -> out.add(t + "|" + new String(c, StandardCharsets.UTF_8)));
        return out;
    }

    @Test
    void zshExtendedFormat() {
        String h = ": 1700000000:0;ls -la\n"
                + ":     1700000005:12;make test\n"
                + ": 1700000010:0;for f in *; do\\\n  echo $f\\\ndone\n"
                + "plain line without timestamp\n"
                + ": notanumber:0;weird\n"
                + ": 1700000020:0;\n"
                + ": 1700000030:0;echo last";
        assertThat(parse(h.getBytes(StandardCharsets.UTF_8), true)).containsExactly(
                "1700000000|ls -la",
                "1700000005|make test",
                "1700000010|for f in *; do\n  echo $f\ndone",
                "0|plain line without timestamp",
                "0|: notanumber:0;weird",
                "1700000020|",
                "1700000030|echo last");
    }

    @Test
    void zshMetafiedBytesAreRestored() throws Exception {
        // zsh stores "echo à" (à = C3 A0) with A0 metafied as 83 80
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(": 1700000000:0;echo ".getBytes(StandardCharsets.US_ASCII));
        o.write(new byte[] {(byte) 0xC3, (byte) 0x83, (byte) 0x80, '\n'});
        assertThat(parse(o.toByteArray(), true)).containsExactly("1700000000|echo à");
        // bash files are taken as they are
        assertThat(parse("echo à\n".getBytes(StandardCharsets.UTF_8), false)).containsExactly("0|echo à");
    }

    @Test
    void bashTimestamps() {
        String h = "#1700000000\nls\n#1700000001\n#not-a-timestamp\ncd /tmp\n\n#1700000002\n#1700000003\nplain\n#1700000009";
        assertThat(parse(h.getBytes(StandardCharsets.UTF_8), false)).containsExactly(
                "1700000000|ls",
                "1700000001|#not-a-timestamp",
                "0|cd /tmp",
                "1700000002|#1700000003",
                "0|plain");
    }

    @Test
    void historyFilesOfAHome(@TempDir Path dir) throws Exception {
        Path home = dir.resolve("home");
        Files.createDirectories(home.resolve(".bash_sessions"));
        Files.writeString(dir.resolve("passwd"), "tester:x:" + UID + ":" + UID + "::" + home + ":/bin/bash\n"
                + "nohome:x:4322:4322::relative/home:/bin/sh\n");
        Files.writeString(home.resolve(".bash_history"), "ls\n#1700000000\npwd\n");
        Files.writeString(home.resolve(".zsh_history"), ": 1700000100:0;git status\n");
        Files.write(home.resolve(".history"), new byte[] {'e', 'c', 'h', 'o', ' ', (byte) 0xff, '\n'});
        Files.writeString(home.resolve(".bash_sessions/ABC.history"), "whoami\n");
        ShellHistoryTable t = new ShellHistoryTable(dir.resolve("passwd"));
        List<Map<String, Object>> r = generate(t);
        assertThat(r).extracting(m -> m.get("uid") + " " + m.get("time") + " " + m.get("command") + " " + Path.of((String) m.get("history_file")).getFileName())
                .containsExactly(UID + " 0 ls .bash_history", UID + " 1700000000 pwd .bash_history", UID + " 1700000100 git status .zsh_history",
                        UID + " 0 echo \uFFFD .history", UID + " 0 whoami ABC.history");
        assertThat(generateWhere(t, "uid", UID)).hasSize(5);
        assertThat(generateWhere(t, "uid", 4322L)).isEmpty();
    }

    @Test
    void aUserCannotPointTheTableAtOtherFiles(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(isRoot(), "the hard-linked file must be root's, which only root can make");
        Path home = dir.resolve("home"), outside = dir.resolve("secret");
        Files.createDirectories(home.resolve("dotfiles"));
        Files.writeString(dir.resolve("passwd"), "tester:x:4321:4321::" + home + ":/bin/bash\n");
        Files.writeString(outside, "root:$6$secret-hash:19000:0:99999:7:::\n");
        Files.writeString(home.resolve("dotfiles/zsh_history"), ": 1700000000:0;kept\n");
        Files.createSymbolicLink(home.resolve(".bash_history"), outside);                      // out of the home: skipped
        Files.createSymbolicLink(home.resolve(".zsh_history"), home.resolve("dotfiles/zsh_history")); // inside: read
        Files.createLink(home.resolve(".history"), outside);                                    // root's file, 2 links: skipped
        List<Map<String, Object>> r = generate(new ShellHistoryTable(dir.resolve("passwd")));
        assertThat(r).extracting(m -> m.get("command")).containsExactly("kept");
        assertThat(r.get(0)).containsEntry("history_file", home.resolve(".zsh_history").toString());
    }

    @Test
    void commandsKeepTheirRawBytes(@TempDir Path dir) throws Exception {
        List<byte[]> out = new ArrayList<>();
        ShellHistoryTable.parse(new byte[] {'l', 's', ' ', (byte) 0xff, (byte) 0xfe}, false, (t, c) -> out.add(c));
        assertThat(out).hasSize(1);
        assertThat(out.get(0)).containsExactly('l', 's', ' ', (byte) 0xff, (byte) 0xfe);
    }

    @Test
    void realRootHistoryMatchesItsFile() throws Exception {
        Path f = Path.of(((String) rows("SELECT directory FROM users WHERE uid = 0").get(0).get("directory"))).resolve(".bash_history");
        long expected = Files.isRegularFile(f)
                ? Files.readAllLines(f, StandardCharsets.ISO_8859_1).stream().filter(l -> !l.isEmpty() && !l.matches("#[0-9]+")).count()
                : 0;
        List<Map<String, Object>> r = rows("SELECT * FROM shell_history WHERE uid = 0 AND history_file = ?", f.toString());
        assertThat((long) r.size()).isEqualTo(expected);
    }
}
