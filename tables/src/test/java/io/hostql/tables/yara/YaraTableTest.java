package io.hostql.tables.yara;

import static io.hostql.tables.TableTests.generateWhere;
import static io.hostql.tables.TableTests.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hostql.config.osquery.YaraConfig;
import io.hostql.os.yara.Yara;
import io.hostql.sql.SqlException;
import io.hostql.tables.TableTests;
import io.hostql.tables.self.AgentInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** yara_file (alias yara) and yara_process with real rules on real files and a live process; the yara CLI is the witness. */
class YaraTableTest {
    static final String RULES = """
            rule marker_rule : evil test
            {
              strings:
                $a = "HOSTQL-YARA-MARKER"
                $b = { 48 4f 53 54 }
              condition:
                $a and $b
            }
            rule elf_file { condition: uint32(0) == 0x464c457f }
            """;

    @TempDir
    Path dir;

    @BeforeAll
    static void libyara() {
        Assumptions.assumeTrue(Yara.problem() == null, "libyara is not installed: " + Yara.problem());
        Assumptions.assumeTrue(TableTests.hasCommand("yara"), "the yara CLI (Debian package yara) is the witness");
    }

    @AfterEach
    void noConfig() {
        AgentInfo.setConfig("", false, null);
    }

    @Test
    void aSigfileScanAgreesWithTheYaraCli() throws Exception {
        Path rules = Files.writeString(dir.resolve("r.yar"), RULES);
        Path target = Files.writeString(dir.resolve("t.txt"), "xxxxHOSTQL-YARA-MARKER and again HOSTQL-YARA-MARKER");
        List<Map<String, Object>> r = rows("SELECT * FROM yara WHERE path = ? AND sigfile = ?", target.toString(), rules.toString());
        assertThat(r).hasSize(1);
        Map<String, Object> row = r.get(0);
        assertThat(row).containsEntry("path", target.toString()).containsEntry("matches", "marker_rule").containsEntry("count", 1L)
                .containsEntry("sigfile", rules.toString()).containsEntry("sig_group", "").containsEntry("tags", "evil,test")
                .containsEntry("strings", "$a:4,$b:4");
        String cli = TableTests.run("yara", "-f", "-s", "-g", rules.toString(), target.toString());
        assertThat(cli).contains("marker_rule [evil,test] " + target).contains("0x4:$a: HOSTQL-YARA-MARKER").contains("0x4:$b: 48 4F 53 54");
        // the osquery name yara_file gives the same row
        assertThat(rows("SELECT * FROM yara_file WHERE path = ? AND sigfile = ?", target.toString(), rules.toString())).isEqualTo(r);
    }

    @Test
    void aLikePatternScansEachRegularFileAndMatchesWhatTheCliMatches() throws Exception {
        Path rules = Files.writeString(dir.resolve("r.yar"), RULES);
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Files.writeString(tree.resolve("a.txt"), "HOSTQL-YARA-MARKER");
        Files.writeString(tree.resolve("b.txt"), "clean");
        Files.copy(Path.of("/bin/true"), tree.resolve("c.bin"));
        Files.createDirectories(tree.resolve("sub"));
        List<Map<String, Object>> r = rows("SELECT path, matches, count FROM yara WHERE path LIKE ? AND sigfile = ?",
                tree + "/%", rules.toString());
        assertThat(r).extracting(m -> m.get("path")).containsExactlyInAnyOrder(
                tree + "/a.txt", tree + "/b.txt", tree + "/c.bin"); // the directory is not scanned
        Set<String> matched = r.stream().filter(m -> (Long) m.get("count") > 0)
                .map(m -> m.get("matches") + " " + m.get("path")).collect(Collectors.toCollection(TreeSet::new));
        Set<String> cli = new TreeSet<>(Arrays.asList(TableTests.run("yara", "-f", rules.toString(), tree.toString()).strip().split("\n")));
        assertThat(matched).isEqualTo(cli).contains("marker_rule " + tree + "/a.txt", "elf_file " + tree + "/c.bin");
    }

    @Test
    void aSignatureGroupOfTheConfigCompilesItsFilesTogether() throws Exception {
        Path one = Files.writeString(dir.resolve("one.yar"), RULES);
        Path two = Files.writeString(dir.resolve("two.yar"), "rule any_text : text { condition: filesize > 3 }");
        Path target = Files.writeString(dir.resolve("t.txt"), "HOSTQL-YARA-MARKER");
        AgentInfo.setConfig("h", true, new ObjectMapper().readTree("""
                {"yara": {"signatures": {"grp": ["%s", "%s"]}}}""".formatted(one, two)));
        List<Map<String, Object>> r = rows("SELECT matches, count, sig_group, sigfile, tags FROM yara WHERE path = ? AND sig_group = 'grp'",
                target.toString());
        assertThat(r).containsExactly(Map.of("matches", "marker_rule,any_text", "count", 2L, "sig_group", "grp", "sigfile", "",
                "tags", "evil,test,text"));
        // an edited rule file is compiled again
        Files.writeString(two, "rule changed { condition: filesize > 3 }");
        Files.setLastModifiedTime(two, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertThat(rows("SELECT matches FROM yara WHERE path = ? AND sig_group = 'grp'", target.toString()))
                .containsExactly(Map.of("matches", "marker_rule,changed"));
        assertThatThrownBy(() -> rows("SELECT * FROM yara WHERE path = ? AND sig_group = 'nope'", target.toString()))
                .isInstanceOf(SqlException.class).hasMessageContaining("signature group 'nope' is not in the config's yara.signatures");
    }

    @Test
    void sigruleIsRefusedUnlessItsFlagIsSetAndItsStringsStayPrivate() throws Exception {
        Path target = Files.writeString(dir.resolve("t.txt"), "HOSTQL-YARA-MARKER");
        assertThatThrownBy(() -> rows("SELECT * FROM yara WHERE path = ? AND sigrule = ?", target.toString(), RULES))
                .isInstanceOf(SqlException.class).hasMessageContaining("sigrule only with --enable_yara_sigrule");
        YaraTable allowed = new YaraTable(YaraTable.Target.FILE, new YaraOptions(true, false, 0, false, 10), () -> YaraConfig.EMPTY);
        List<Map<String, Object>> r = generateWhere(allowed, "path", target.toString(), "sigrule", RULES);
        assertThat(r).hasSize(1);
        assertThat(r.get(0)).containsEntry("matches", "marker_rule").containsEntry("sigrule", RULES).containsEntry("strings", "");
        YaraTable shown = new YaraTable(YaraTable.Target.FILE, new YaraOptions(true, true, 0, false, 10), () -> YaraConfig.EMPTY);
        assertThat(generateWhere(shown, "path", target.toString(), "sigrule", RULES).get(0)).containsEntry("strings", "$a:0,$b:0");
        assertThatThrownBy(() -> generateWhere(allowed, "path", target.toString(), "sigrule", "rule {"))
                .hasMessageContaining("YARA rules do not compile").hasMessageContaining("rule text(1)");
    }

    @Test
    void withoutRulesOrWithBrokenRulesTheQuerySaysWhy() throws Exception {
        Path target = Files.writeString(dir.resolve("t.txt"), "x");
        Path bad = Files.writeString(dir.resolve("bad.yar"), "rule bad { condition: $nope }");
        assertThatThrownBy(() -> rows("SELECT * FROM yara WHERE path = ?", target.toString()))
                .isInstanceOf(SqlException.class).hasMessageContaining("yara_file needs one of sig_group, sigfile or sigrule");
        assertThatThrownBy(() -> rows("SELECT * FROM yara WHERE path = ? AND sigfile = ?", target.toString(), bad.toString()))
                .isInstanceOf(SqlException.class).hasMessageContaining(bad + "(1)").hasMessageContaining("undefined string");
        assertThatThrownBy(() -> rows("SELECT * FROM yara_file WHERE path = ? AND sigurl = 'https://x/r.yar'", target.toString()))
                .isInstanceOf(SqlException.class).hasMessageContaining("does not fetch YARA rules over the network");
        // a missing target gives no row, as in osquery
        Path rules = Files.writeString(dir.resolve("r.yar"), RULES);
        assertThat(rows("SELECT * FROM yara WHERE path = ? AND sigfile = ?", dir + "/missing", rules.toString())).isEmpty();
    }

    @Test
    void aProcessWhoseMemoryHoldsTheMarkerMatchesAsTheCliSays() throws Exception {
        Assumptions.assumeTrue(TableTests.isRoot(), "scanning another process's memory needs root (ptrace)");
        Path rules = Files.writeString(dir.resolve("r.yar"), RULES);
        Process p = new ProcessBuilder("python3", "-c",
                "import sys,time; s=sys.argv[1]+'-MARKER'; print('ready', flush=True); time.sleep(60)", "HOSTQL-YARA").start();
        try (TableTests.Child child = new TableTests.Child(p)) {
            assertThat(new String(p.getInputStream().readNBytes(6), StandardCharsets.UTF_8)).isEqualTo("ready\n");
            List<Map<String, Object>> r = rows("SELECT pid, matches, count, sigfile FROM yara_process WHERE pid = ? AND sigfile = ?",
                    child.pid(), rules.toString());
            assertThat(r).hasSize(1);
            assertThat(r.get(0)).containsEntry("pid", child.pid()).containsEntry("sigfile", rules.toString());
            assertThat(((String) r.get(0).get("matches")).split(",")).contains("marker_rule");
            List<String> cli = new ArrayList<>(Arrays.asList(TableTests.run("yara", rules.toString(), Long.toString(child.pid())).split("\n")));
            assertThat(cli).contains("marker_rule " + child.pid());
            assertThat((Long) r.get(0).get("count")).isEqualTo(cli.stream().filter(l -> l.endsWith(" " + child.pid())).count());
        }
    }
}
