package io.hostql.loggers.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hostql.config.Settings;
import io.hostql.config.SettingsException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flags of the HTTP logger plugins (elasticsearch, splunk_hec): bad values stop the start naming the flag, and no secret shows. */
class HttpPluginFlagsTest {
    @TempDir
    Path tmp;

    static LoggerPlugins.Plan plan(String... flags) {
        return LoggerPlugins.plan(Settings.parse(flags));
    }

    @Test
    void bothPluginsStartFromTheirFlags() throws Exception {
        Path token = Files.writeString(tmp.resolve("token"), "s3cret-token\n");
        LoggerPlugins.Plan p = plan("--logger_plugin=filesystem,elasticsearch,splunk_hec", "--logger_elasticsearch_urls=http://127.0.0.1:9200",
                "--logger_splunk_url=http://127.0.0.1:8088", "--logger_splunk_token_file=" + token);
        assertThat(p.sinks()).extracting(Sink::plugin).containsExactly("elasticsearch", "splunk_hec");
        assertThat(p.sinks()).extracting(Sink::target).containsExactly("http://127.0.0.1:9200/", "http://127.0.0.1:8088/");
        p.sinks().forEach(Sink::close);
    }

    @Test
    void aMissingOrEmptyTokenFileStopsTheStartWithoutShowingAnySecret() throws Exception {
        assertThatThrownBy(() -> plan("--logger_plugin=splunk_hec")).isInstanceOf(SettingsException.class)
                .hasMessage("the splunk_hec logger plugin needs logger_splunk_token_file (a file holding the HEC token)");
        Path empty = Files.writeString(tmp.resolve("empty"), "\n");
        assertThatThrownBy(() -> plan("--logger_plugin=splunk_hec", "--logger_splunk_token_file=" + empty))
                .hasMessage("logger_splunk_token_file: the secret file " + empty + " is empty");
        Path missing = tmp.resolve("missing");
        assertThatThrownBy(() -> plan("--logger_plugin=splunk_hec", "--logger_splunk_token_file=" + missing))
                .hasMessageStartingWith("logger_splunk_token_file: cannot read the secret file " + missing);
        Path two = Files.writeString(tmp.resolve("two"), "line-one-secret\nline-two-secret\n");
        assertThatThrownBy(() -> plan("--logger_plugin=splunk_hec", "--logger_splunk_token_file=" + two))
                .hasMessageNotContaining("secret\n").hasMessageNotContaining("line-one-secret").hasMessageEndingWith("holds more than one line");
    }

    @Test
    void badUrlsAndIndexPatternsAndCredentialsInAUrlAreRefusedNamingTheFlag() throws Exception {
        assertThatThrownBy(() -> plan("--logger_plugin=elasticsearch", "--logger_elasticsearch_urls=ftp://h:1"))
                .hasMessage("logger_elasticsearch_urls: 'ftp://h:1' is not an http:// or https:// URL with a host");
        assertThatThrownBy(() -> plan("--logger_plugin=elasticsearch", "--logger_elasticsearch_urls=http://user:pa55word@h:9200"))
                .hasMessageNotContaining("pa55word").hasMessageContaining("carries credentials");
        assertThatThrownBy(() -> plan("--logger_plugin=elasticsearch", "--logger_elasticsearch_index=Results-%{+yyyy}"))
                .hasMessage("logger_elasticsearch_index 'Results-%{+yyyy}': index names must be lowercase");
        assertThatThrownBy(() -> plan("--logger_plugin=elasticsearch", "--logger_elasticsearch_username=u"))
                .hasMessage("logger_elasticsearch_username needs logger_elasticsearch_password_file");
        assertThatThrownBy(() -> plan("--logger_plugin=elasticsearch", "--logger_elasticsearch_tls_ca=/x.pem"))
                .hasMessage("logger_elasticsearch_tls_ca is set but no URL in logger_elasticsearch_urls is https://");
    }
}
