package io.hostql.tables.addons;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.generateWhere;
import static io.hostql.tables.TableTests.hasCommand;
import static io.hostql.tables.TableTests.homeUid;
import static io.hostql.tables.TableTests.run;
import static io.hostql.tables.TableTests.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fixture-only: neither VS Code nor a JetBrains IDE is in Debian, so the trees are written in their
 * documented formats: VS Code's extensions/extensions.json (identifier, version, location,
 * metadata) and JetBrains plugin jars whose META-INF/plugin.xml follows the plugin configuration
 * file format.
 */
class EditorExtensionsTest {
    @Test
    void vscodeExtensionsOfEachEdition(@TempDir Path dir) throws Exception {
        Path home = Files.createDirectories(dir.resolve("home")).toRealPath();
        Path passwd = AddonTrees.passwd(dir, home);
        write(home.resolve(".vscode/extensions/extensions.json"), "[{\"identifier\": {\"id\": \"ms-python.python\","
                + " \"uuid\": \"f1f59ae4-9318-4f3c-a9b5-81b2eaa5f8a5\"}, \"version\": \"2024.2.1\","
                + " \"location\": {\"$mid\": 1, \"path\": \"" + home + "/.vscode/extensions/ms-python.python-2024.2.1\", \"scheme\": \"file\"},"
                + " \"relativeLocation\": \"ms-python.python-2024.2.1\", \"metadata\": {\"installedTimestamp\": 1709000000000,"
                + " \"publisherId\": \"998b010b-e2af-44a5-a6cd-0b5fd3b9b6f8\", \"publisherDisplayName\": \"Microsoft\","
                + " \"isPreReleaseVersion\": false, \"targetPlatform\": \"undefined\"}},"
                + " {\"identifier\": {\"id\": \"broken\"}, \"version\": \"1\"}]");
        write(home.resolve(".vscode-server-insiders/extensions/extensions.json"), "[{\"identifier\": {\"id\": \"golang.go\"},"
                + " \"version\": \"0.41.0\", \"location\": {\"path\": \"/x/golang.go-0.41.0\"}, \"metadata\": {\"isPreReleaseVersion\": true}}]");
        write(home.resolve(".vscode-insiders/extensions/extensions.json"), "{\"not\": \"an array\"}");

        List<Map<String, Object>> out = generate(new VscodeExtensionsTable(passwd));
        assertThat(out).extracting(r -> r.get("vscode_edition") + " " + r.get("name") + " " + r.get("version") + " " + r.get("prerelease"))
                .containsExactly("vscode ms-python.python 2024.2.1 0", "vscode_insiders golang.go 0.41.0 1");
        assertThat(out.get(0)).containsEntry("uuid", "f1f59ae4-9318-4f3c-a9b5-81b2eaa5f8a5").containsEntry("publisher", "Microsoft")
                .containsEntry("publisher_id", "998b010b-e2af-44a5-a6cd-0b5fd3b9b6f8").containsEntry("installed_at", 1_709_000_000_000L)
                .containsEntry("path", home + "/.vscode/extensions/ms-python.python-2024.2.1").containsEntry("uid", homeUid());
        assertThat(out.get(1)).containsEntry("installed_at", null).containsEntry("publisher", null);
        assertThat(generateWhere(new VscodeExtensionsTable(passwd), "uid", homeUid() + 3)).isEmpty();
    }

    static void jar(Path file, String pluginXml, String... otherEntries) throws Exception {
        Files.createDirectories(file.getParent());
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (String e : otherEntries) {
                zip.putNextEntry(new ZipEntry(e));
                zip.write("x".getBytes(StandardCharsets.UTF_8));
            }
            if (pluginXml != null) {
                zip.putNextEntry(new ZipEntry("META-INF/plugin.xml"));
                zip.write(pluginXml.getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    static String pluginXml(String name, String vendor, String version) {
        return "<idea-plugin>\n  <id>com.example." + name.toLowerCase().replace(' ', '-') + "</id>\n  <name>" + name + "</name>\n"
                + "  <version>" + version + "</version>\n  <vendor url=\"https://example.com\" email=\"a@example.com\">" + vendor
                + "</vendor>\n  <depends>com.intellij.modules.platform</depends>\n</idea-plugin>\n";
    }

    @Test
    void jetbrainsPluginJarsAndDirectories(@TempDir Path dir) throws Exception {
        Path home = Files.createDirectories(dir.resolve("home")).toRealPath();
        Path passwd = AddonTrees.passwd(dir, home);
        Path idea = home.resolve(".local/share/JetBrains/IntelliJIdea2024.3");
        jar(idea.resolve("single-plugin.jar"), pluginXml("Single Plugin", "Single Vendor", "1.0.0"));
        jar(idea.resolve("no-descriptor.jar"), null, "a.class");
        write(idea.resolve("notes.txt"), "not a jar");
        // a plugin with dependencies: the descriptor is in the jar named like the directory, not in the libraries
        Path aws = idea.resolve("aws-toolkit-jetbrains-standalone/lib");
        jar(aws.resolve("gson-2.8.0.jar"), pluginXml("Wrong", "Wrong", "0"));
        jar(aws.resolve("resources_en.jar"), pluginXml("Wrong too", "Wrong", "0"));
        jar(aws.resolve("aws-toolkit-jetbrains-standalone.jar"), pluginXml("AWS Toolkit", "AWS", "3.40-243"));
        jar(home.resolve(".local/share/JetBrains/PyCharmCE2024.1/rainbow/lib/rainbow.jar"), pluginXml("Rainbow", "izhangzhihao", "2024.1.1"));
        jar(home.resolve(".local/share/JetBrains/GoLand2024.1/empty/lib/util-1.0.jar"), null, "x.class");

        List<Map<String, Object>> out = generate(new JetbrainsPluginsTable(passwd));
        assertThat(out).extracting(r -> r.get("product_type") + "|" + r.get("name") + "|" + r.get("vendor") + "|" + r.get("version") + "|" + r.get("path"))
                .containsExactly(
                        "intellij_idea|AWS Toolkit|AWS|3.40-243|" + idea.resolve("aws-toolkit-jetbrains-standalone"),
                        "intellij_idea|Single Plugin|Single Vendor|1.0.0|" + idea.resolve("single-plugin.jar"),
                        // osquery's PyCharm% pattern also matches PyCharmCE directories
                        "pycharm|Rainbow|izhangzhihao|2024.1.1|" + home.resolve(".local/share/JetBrains/PyCharmCE2024.1/rainbow"),
                        "pycharm_community_edition|Rainbow|izhangzhihao|2024.1.1|" + home.resolve(".local/share/JetBrains/PyCharmCE2024.1/rainbow"));
        assertThat(out).allSatisfy(r -> assertThat(r).containsEntry("uid", homeUid()));
        if (hasCommand("unzip")) {
            // the descriptor as unzip sees it holds what the row shows
            assertThat(run("unzip", "-p", idea.resolve("single-plugin.jar").toString(), "META-INF/plugin.xml"))
                    .contains("<name>Single Plugin</name>").contains("<version>1.0.0</version>");
        }
        List<String> names = new ArrayList<>(List.of("resources_en.jar", "gson-2.8.0.jar", "aws-idea.jar", "aws.jar", "database-plugin.jar", "b.jar"));
        names.sort((a, b) -> JetbrainsPluginsTable.likelyPluginJarsFirst("aws").compare(Path.of(a), Path.of(b)));
        assertThat(names).containsExactly("aws.jar", "aws-idea.jar", "b.jar", "database-plugin.jar", "gson-2.8.0.jar", "resources_en.jar");
    }
}
