package io.hostql.config.osquery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    @Test
    void loadsOsqueryKeysWithCommentLines() throws Exception {
        Path f = write("osquery.conf", """
                {
                  // osquery allows comment lines
                  # both kinds
                  "options": {"events_expiry": 600, "host_identifier": "uuid", "verbose": true},
                  "file_paths": {"etc": ["/etc/%%"], "homes": ["/root/.ssh/%%", "/home/%/.ssh/%%"]},
                  "exclude_paths": {"etc": ["/etc/ssl/%%"]},
                  "file_accesses": ["homes"],
                  "events": {"disable_subscribers": ["hardware_events"]},
                  "schedule": {"q": {"query": "SELECT 1", "interval": 10}}
                }
                """);
        OsqueryConfig c = ConfigLoader.load(f);
        assertThat(c.options()).containsEntry("events_expiry", "600").containsEntry("verbose", "true");
        assertThat(c.fileMonitoring().filePaths().get("homes")).containsExactly("/root/.ssh/%%", "/home/%/.ssh/%%");
        assertThat(c.fileMonitoring().excludePaths().get("etc")).containsExactly("/etc/ssl/%%");
        assertThat(c.fileMonitoring().fileAccesses()).containsExactly("homes");
        assertThat(c.subscriberEnabled("file_events")).isTrue();
        assertThat(c.subscriberEnabled("hardware_events")).isFalse();
        assertThat(c.packs().get(0).queries().get(0).interval()).isEqualTo(10);
        assertThat(c.hash()).hasSize(40);
        assertThat(c.warnings()).isEmpty();
    }

    @Test
    void brokenJsonNamesFileAndLine() throws Exception {
        Path f = write("broken.conf", "{\n  \"options\": {\n    \"a\": 1,,\n  }\n}\n");
        assertThatThrownBy(() -> ConfigLoader.load(f)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(f + ":3: ").hasMessageContaining("broken JSON");
    }

    @Test
    void aConfigThatIsNotUtf8NamesTheFileAndTheByteOffset() throws Exception {
        Path f = dir.resolve("latin1.conf");
        // "caf\u00e9" written as Latin-1 in a comment line: one byte 0xe9, not UTF-8.
        Files.write(f, "{\n  # caf\u00e9\n  \"schedule\": {}\n}\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> ConfigLoader.load(f)).isInstanceOf(ConfigException.class)
                .hasMessage(f + ":2: not UTF-8 text: invalid byte 0xe9 at byte offset 9 (line 2)");
        Path pack = write("packs/bad.conf", "");
        Files.write(pack, new byte[] {'{', (byte) 0xc3, '(', '}'});
        Path main = write("main.conf", "{\"packs\": {\"bad\": \"" + pack + "\"}}");
        assertThatThrownBy(() -> ConfigLoader.load(main)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("cannot read pack file " + pack + ": not UTF-8 text: invalid byte 0xc3 at byte offset 1 (line 1)");
    }

    @Test
    void wrongTypesNameFileLineAndKey() throws Exception {
        Path f = write("types.conf", """
                {
                  "file_paths": {
                    "etc": "/etc/%%",
                    "bin": [
                      42
                    ]
                  },
                  "file_accesses": "etc"
                }
                """);
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> ConfigLoader.load(f));
        assertThat(e.errors()).extracting(ConfigError::toString).containsExactlyInAnyOrder(
                f + ":5: file_paths.bin.0: must be a path string, got a number",
                f + ":8: file_accesses: must be an array of strings, got a string");
    }

    @Test
    void badPatternsAreRefused() throws Exception {
        Path f = write("p.conf", "{\"file_paths\": {\"x\": [\"relative/path\", \"/home/%%/conf\"]}}");
        assertThatThrownBy(() -> ConfigLoader.load(f)).hasMessageContaining("must be an absolute path")
                .hasMessageContaining("%% (recursive) is only allowed at the end");
    }

    @Test
    void unknownKeysAreWarningsNotFailures() throws Exception {
        Path f = write("w.conf", "{\"schedulez\": {}, \"feature_vectors\": {}, \"exclude_paths\": {\"nope\": [\"/tmp/%%\"]}}");
        OsqueryConfig c = ConfigLoader.load(f);
        assertThat(c.warnings()).extracting(ConfigError::toString).anyMatch(w -> w.contains("schedulez: unknown top-level key"))
                .anyMatch(w -> w.contains("feature_vectors: not supported")).anyMatch(w -> w.contains("'nope' is not in file_paths"));
    }

    @Test
    void prometheusTargetsIsKeptForTheTableThatReadsIt() throws Exception {
        Path f = write("prom.conf", "{\"prometheus_targets\": {\"timeout\": 2, \"urls\": [\"http://127.0.0.1:9100/metrics\"]}}");
        OsqueryConfig c = ConfigLoader.load(f);
        assertThat(c.warnings()).isEmpty();
        assertThat(c.raw().path("prometheus_targets").path("urls").get(0).asText()).isEqualTo("http://127.0.0.1:9100/metrics");
    }

    @Test
    void dropInsMergeInNameOrder() throws Exception {
        Path f = write("osquery.conf", "{\"file_paths\": {\"etc\": [\"/etc/%%\"]}, \"options\": {\"a\": 1}}");
        write("osquery.conf.d/20-more.conf", "{\"file_paths\": {\"bin\": [\"/usr/bin/%%\"]}, \"options\": {\"a\": 3}}");
        write("osquery.conf.d/10-some.conf", "{\"options\": {\"a\": 2, \"b\": 2}}");
        OsqueryConfig c = ConfigLoader.load(f);
        assertThat(c.fileMonitoring().filePaths()).containsOnlyKeys("etc", "bin");
        assertThat(c.options()).containsEntry("a", "3").containsEntry("b", "2");
    }

    @Test
    void missingFileIsNamed() {
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("nope.conf"))).hasMessageContaining("nope.conf: no such file");
    }
}
