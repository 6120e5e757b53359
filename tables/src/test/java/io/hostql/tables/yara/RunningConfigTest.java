package io.hostql.tables.yara;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hostql.config.osquery.YaraConfig;
import io.hostql.tables.self.AgentInfo;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The yara tables read the config's yara key parsed once per config, not once per query (no libyara needed). */
class RunningConfigTest {
    @AfterEach
    void noConfig() {
        AgentInfo.setConfig("", false, null);
    }

    @Test
    void theKeyIsParsedOncePerConfigAndAgainAfterAReload() throws Exception {
        YaraTable.RunningConfig running = new YaraTable.RunningConfig();
        assertThat(running.get()).as("no config: no groups").isSameAs(YaraConfig.EMPTY);
        ObjectMapper json = new ObjectMapper();
        AgentInfo.setConfig("a", true, json.readTree("{\"yara\": {\"signatures\": {\"grp\": [\"/r/one.yar\"]}}}"));
        YaraConfig first = running.get();
        assertThat(first.group("grp")).containsExactly(Path.of("/r/one.yar"));
        assertThat(running.get()).as("the same config: the same parse").isSameAs(first);
        AgentInfo.setConfig("b", true, json.readTree("{\"yara\": {\"signatures\": {\"grp\": [\"two.yar\"]}}}"));
        YaraConfig reloaded = running.get();
        assertThat(reloaded).isNotSameAs(first);
        assertThat(reloaded.group("grp")).containsExactly(YaraConfig.HOME.resolve("two.yar"));
        assertThat(running.get()).isSameAs(reloaded);
        AgentInfo.setConfig("c", true, json.readTree("{\"options\": {}}"));
        assertThat(running.get()).as("a config without the key").isSameAs(YaraConfig.EMPTY);
    }
}
