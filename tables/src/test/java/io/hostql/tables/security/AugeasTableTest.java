package io.hostql.tables.security;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.generateWhere;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static io.hostql.tables.TableTests.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** augeas (and its alias configurations) against augtool printing the same files with the same lenses. */
class AugeasTableTest {
    static final String LENSES = Settings.defaults().string("augeas_lenses");

    @BeforeAll
    static void needAugeas() {
        Assumptions.assumeTrue(LibAugeas.problem() == null, "libaugeas0 is installed");
        Assumptions.assumeTrue(hasCommand("augtool") && Files.isDirectory(Path.of(LENSES)), "augtool and the lenses (augeas-tools, augeas-lenses)");
    }

    /** augtool's print: node -> value ("" for a node without one). */
    static Map<String, String> augtool(String root, String tree) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : run("augtool", "-r", root, "-S", "-I", LENSES, "print", tree).split("\n")) {
            if (line.isEmpty()) continue;
            int eq = line.indexOf(" = ");
            if (eq < 0) out.put(line, "");
            else out.put(line.substring(0, eq), line.substring(eq + 3).replaceAll("^\"|\"$", ""));
        }
        return out;
    }

    private static Map<String, String> byNode(List<Map<String, Object>> rows) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map<String, Object> r : rows) out.put((String) r.get("node"), (String) r.get("value"));
        return out;
    }

    @Test
    void filesOfATreeAgreeWithAugtool(@TempDir Path root) throws Exception {
        write(root.resolve("etc/hosts"), "127.0.0.1 localhost\n# comment\n10.1.2.3 db.example.org db alias2\n");
        write(root.resolve("etc/ssh/sshd_config"), "Port 2222\nPermitRootLogin no\nAllowUsers alice bob\n");
        AugeasTable t = new AugeasTable(root.toString(), LENSES);
        List<Map<String, Object>> hosts = generateWhere(t, "path", "/etc/hosts");
        Map<String, String> expected = augtool(root.toString(), "/files/etc/hosts");
        expected.remove("/files/etc/hosts"); // the file's own node: //* matches what is below it
        assertThat(byNode(hosts)).isEqualTo(expected);
        assertThat(hosts).allSatisfy(r -> assertThat(r).containsEntry("path", "/etc/hosts"));
        assertThat(hosts).anySatisfy(r -> assertThat(r).containsEntry("node", "/files/etc/hosts/2/canonical")
                .containsEntry("label", "canonical").containsEntry("value", "db.example.org"));
        // node = an augeas expression, node LIKE with % for *
        assertThat(generateWhere(t, "node", "/files/etc/ssh/sshd_config/Port")).singleElement()
                .satisfies(r -> assertThat(r).containsEntry("value", "2222").containsEntry("path", "/etc/ssh/sshd_config"));
        // everything: both files, each node as augtool prints it
        Map<String, String> all = byNode(generate(t));
        Map<String, String> sshd = augtool(root.toString(), "/files/etc/ssh/sshd_config");
        sshd.remove("/files/etc/ssh/sshd_config");
        assertThat(all).containsAllEntriesOf(expected).containsAllEntriesOf(sshd);
    }

    @Test
    void realEtcHostsThroughSqlAndTheAlias() {
        Assumptions.assumeTrue(Files.isRegularFile(Path.of("/etc/hosts")), "/etc/hosts");
        Map<String, String> expected = augtool("/", "/files/etc/hosts");
        expected.remove("/files/etc/hosts");
        assertThat(byNode(rows("SELECT * FROM augeas WHERE path = '/etc/hosts'"))).isEqualTo(expected);
        assertThat(byNode(rows("SELECT * FROM configurations WHERE path = '/etc/hosts'"))).isEqualTo(expected);
        List<Map<String, Object>> ips = rows("SELECT value FROM augeas WHERE node LIKE '/files/etc/hosts/%/ipaddr'");
        assertThat(ips).isNotEmpty().allSatisfy(r -> assertThat(expected).containsValue((String) r.get("value")));
    }

    @Test
    void patternsAsOsqueryBuildsThem() {
        assertThat(AugeasTable.pattern("/etc/hosts", false, true)).isEqualTo("/files/etc/hosts//*");
        assertThat(AugeasTable.pattern("/etc/%", true, true)).isEqualTo("/files/etc/*");
        assertThat(AugeasTable.pattern("/files/etc/%%", true, false)).isEqualTo("/files/etc//*");
    }

    @Test
    void withoutLensesTheTableIsEmpty(@TempDir Path root) throws Exception {
        write(root.resolve("etc/hosts"), "127.0.0.1 localhost\n");
        assertThat(generate(new AugeasTable(root.toString(), root.resolve("no-lenses").toString()))).isEmpty();
    }
}
