package io.hostql.config.osquery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** osquery's "yara" config key: signature groups, the categories' groups, signature_urls. */
class YaraConfigTest {
    @TempDir
    Path dir;

    @Test
    void groupsFilesAndCategoriesAsOsqueryReadsThem() throws Exception {
        Path rules = Files.writeString(dir.resolve("a.yar"), "rule a { condition: true }");
        Path conf = Files.writeString(dir.resolve("c.conf"), """
                {"file_paths": {"tmp": ["/tmp/%%%%"], "bin": ["/usr/bin/%%"]},
                 "yara": {"signatures": {"g1": ["%s", "relative.yar"], "g2": ["%s"]},
                          "file_paths": {"tmp": ["g1", "g2"]}}}
                """.formatted(rules, rules));
        OsqueryConfig c = ConfigLoader.load(conf);
        YaraConfig y = c.yara();
        assertThat(y.group("g1")).containsExactly(rules, YaraConfig.HOME.resolve("relative.yar"));
        assertThat(y.groupsFor("tmp")).containsExactly("g1", "g2");
        assertThat(y.groupsFor("bin")).isEmpty();
        assertThat(y.group("nope")).isNull();
        assertThat(c.warnings()).extracting(ConfigError::toString).anyMatch(w -> w.contains("relative.yar does not exist"));
        Path unknownGroup = Files.writeString(dir.resolve("g.conf"), """
                {"file_paths": {"tmp": ["/tmp/%%"]}, "yara": {"signatures": {}, "file_paths": {"tmp": ["nope"]}}}""");
        assertThat(ConfigLoader.load(unknownGroup).warnings()).extracting(ConfigError::toString)
                .anyMatch(w -> w.contains("signature group 'nope' is not in yara.signatures"));
    }

    @Test
    void badShapesAndUnknownGroupsAreErrorsNamingTheKey() throws Exception {
        Path conf = Files.writeString(dir.resolve("bad.conf"), """
                {"file_paths": {"tmp": ["/tmp/%%"]},
                 "yara": {"signatures": {"g1": "not-an-array"}, "file_paths": {"tmp": ["nope"], "other": []},
                          "signature_urls": ["(unclosed"]}}
                """);
        assertThatThrownBy(() -> ConfigLoader.load(conf)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("yara.signatures.g1").hasMessageContaining("must be an array of strings")
                .hasMessageContaining("'(unclosed' is not a regular expression");
        Path notObject = Files.writeString(dir.resolve("n.conf"), "{\"yara\": []}");
        assertThatThrownBy(() -> ConfigLoader.load(notObject)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("yara").hasMessageContaining("must be an object");
    }

    @Test
    void signatureUrlsAreAcceptedWithAWarningAndNoConfigMeansNoGroups() throws Exception {
        Path conf = Files.writeString(dir.resolve("u.conf"), """
                {"yara": {"signature_urls": ["https://rules\\\\.example/.*"], "file_paths": {"x": []}}}
                """);
        OsqueryConfig c = ConfigLoader.load(conf);
        assertThat(c.yara().signatureUrls()).containsExactly("https://rules\\.example/.*");
        assertThat(c.warnings()).extracting(ConfigError::toString)
                .anyMatch(w -> w.contains("does not fetch YARA rules")).anyMatch(w -> w.contains("category 'x' is not in file_paths"));
        assertThat(ConfigLoader.load(Files.writeString(dir.resolve("e.conf"), "{}")).yara()).isEqualTo(YaraConfig.EMPTY);
        assertThat(YaraConfig.EMPTY.groupsFor("any")).isEqualTo(List.of());
    }
}
