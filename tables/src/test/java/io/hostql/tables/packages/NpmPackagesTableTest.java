package io.hostql.tables.packages;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.generateWhere;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static io.hostql.tables.TableTests.write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpmPackagesTableTest {
    @Test
    void walksGlobalNodeModulesWithNestingScopesAndDepthLimit(@TempDir Path root) throws Exception {
        Path site = root.resolve("usr/lib");
        Path nm = site.resolve("node_modules");
        write(nm.resolve("npm/package.json"), "{\"name\":\"npm\",\"version\":\"10.2.0\",\"description\":\"a package manager\","
                + "\"author\":{\"name\":\"GitHub Inc.\",\"email\":\"x@y\"},\"license\":\"Artistic-2.0\",\"homepage\":\"https://docs.npmjs.com/\"}");
        write(nm.resolve("npm/node_modules/abbrev/package.json"), "{\"name\":\"abbrev\",\"version\":\"2.0.0\",\"author\":\"Isaac\","
                + "\"license\":{\"type\":\"ISC\",\"url\":\"https://opensource.org/licenses/ISC\"}}");
        write(nm.resolve("npm/node_modules/abbrev/node_modules/deep/package.json"), "{\"name\":\"deep\",\"version\":\"0.0.1\"}");
        write(nm.resolve("@scope/tool/package.json"), "{\"name\":\"@scope/tool\",\"version\":\"1.0.0\",\"homepage\":42}");
        write(nm.resolve("broken/package.json"), "{ not json");
        Files.createDirectories(nm.resolve(".bin"));
        // a symlink loop back to the package must not be walked forever
        Files.createSymbolicLink(nm.resolve("npm/node_modules/loop"), nm.resolve("npm"));

        NpmPackagesTable table = new NpmPackagesTable(() -> List.of(site.toString()));
        List<Map<String, Object>> out = generate(table);
        Map<String, Map<String, Object>> byPath = out.stream().collect(Collectors.toMap(
                r -> site.relativize(Path.of((String) r.get("path"))).toString(), r -> r, (a, b) -> a));
        assertThat(byPath).containsKeys("node_modules/npm/package.json", "node_modules/@scope/tool/package.json",
                "node_modules/broken/package.json", "node_modules/npm/node_modules/abbrev/package.json",
                "node_modules/npm/node_modules/abbrev/node_modules/deep/package.json");
        assertThat(byPath.get("node_modules/npm/package.json")).containsEntry("name", "npm").containsEntry("version", "10.2.0")
                .containsEntry("description", "a package manager").containsEntry("author", "GitHub Inc.")
                .containsEntry("license", "Artistic-2.0").containsEntry("homepage", "https://docs.npmjs.com/")
                .containsEntry("depth", 0L).containsEntry("directory", site.toString()).containsEntry("max_depth", 100L);
        assertThat(byPath.get("node_modules/npm/node_modules/abbrev/package.json")).containsEntry("depth", 1L)
                .containsEntry("author", "Isaac").containsEntry("license", "https://opensource.org/licenses/ISC");
        assertThat(byPath.get("node_modules/npm/node_modules/abbrev/node_modules/deep/package.json")).containsEntry("depth", 2L);
        assertThat(byPath.get("node_modules/@scope/tool/package.json")).containsEntry("homepage", "");
        // the link itself is a package of npm's node_modules, but is not walked again
        assertThat(byPath).containsKey("node_modules/npm/node_modules/loop/package.json")
                .doesNotContainKey("node_modules/npm/node_modules/loop/node_modules/abbrev/package.json");
        assertThat(out).hasSize(6);
        assertThat(byPath.get("node_modules/broken/package.json")).containsEntry("name", null).containsEntry("depth", 0L);

        List<Map<String, Object>> top = generateWhere(table, "max_depth", 0L);
        assertThat(top).extracting(r -> r.get("name")).containsExactlyInAnyOrder("npm", "@scope/tool", null);
        assertThat(top).allSatisfy(r -> assertThat(r).containsEntry("max_depth", 0L));

        Path other = root.resolve("opt/x");
        write(other.resolve("node_modules/y/package.json"), "{\"name\":\"y\"}");
        assertThat(generateWhere(table, "directory", other.toString())).extracting(r -> r.get("name")).containsExactly("y");
    }

    @Test
    void topLevelGlobalPackagesMatchNpmLs() throws Exception {
        Assumptions.assumeTrue(hasCommand("npm") && Files.isDirectory(Path.of("/usr/lib/node_modules")),
                "needs npm with a global prefix of /usr as the witness");
        String prefix = run("npm", "prefix", "-g").trim();
        Assumptions.assumeTrue(Files.isDirectory(Path.of(prefix, "lib", "node_modules")), "npm's global prefix has no node_modules");
        JsonNode deps = new ObjectMapper().readTree(run("npm", "ls", "-g", "--depth=0", "--json")).path("dependencies");
        Set<String> expected = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = deps.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            expected.add(e.getKey() + " " + e.getValue().path("version").asText());
        }
        Set<String> actual = rows("SELECT name, version FROM npm_packages WHERE directory = ? AND depth = 0", prefix + "/lib")
                .stream().map(r -> r.get("name") + " " + r.get("version")).collect(Collectors.toCollection(TreeSet::new));
        assertThat(actual).isNotEmpty().isEqualTo(expected);
        // nested dependencies of npm itself are listed below it
        assertThat(rows("SELECT count(*) AS n FROM npm_packages WHERE directory = ? AND depth > 0", prefix + "/lib").get(0).get("n"))
                .isInstanceOf(Long.class);
    }
}
