package io.hostql.loggers.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hostql.config.SettingsException;
import org.junit.jupiter.api.Test;

/** The tcp/tls/unix target of the syslog and gelf plugins: one parser, one line per problem naming the flag. */
class NetTargetTest {
    @Test
    void targetsParseWithTheirDefaultsAndProblemsNameTheFlag() {
        assertThat(NetTarget.parse("f", "tcp://collector:1514", true, 0)).isEqualTo(new NetTarget("tcp", "collector", 1514, null));
        assertThat(NetTarget.parse("f", "tls://graylog", false, 12201)).isEqualTo(new NetTarget("tls", "graylog", 12201, null));
        assertThat(NetTarget.parse("f", "unix:///dev/log", true, 0)).isEqualTo(new NetTarget("unix", null, 0, "/dev/log"));
        assertThat(NetTarget.parse("f", "tcp://c:1", true, 0).trust("ca", "")).as("plain tcp: no TLS").isNull();

        assertThatThrownBy(() -> NetTarget.parse("logger_x_target", "unix:///dev/log", false, 0)).isInstanceOf(SettingsException.class)
                .hasMessage("logger_x_target 'unix:///dev/log': unknown scheme 'unix' (expected tcp://host:port or tls://host:port)");
        assertThatThrownBy(() -> NetTarget.parse("logger_x_target", "tcp://c", true, 0))
                .hasMessage("logger_x_target 'tcp://c' needs a host and a port (tcp://host:port)");
        assertThatThrownBy(() -> NetTarget.parse("logger_x_target", "tls://:5", false, 12201))
                .hasMessage("logger_x_target 'tls://:5' needs a host (tls://host:port)");
        assertThatThrownBy(() -> NetTarget.parse("logger_x_target", "tcp://a b:1", true, 0))
                .hasMessageStartingWith("logger_x_target 'tcp://a b:1' is not a URI");
        assertThatThrownBy(() -> NetTarget.parse("logger_x_target", "unix:dev/log", true, 0))
                .hasMessage("logger_x_target 'unix:dev/log' names no socket path (expected unix:///path)");
    }
}
