package io.hostql.remote.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.config.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The config-over-TLS flags osquery renamed or made optional: config_tls_refresh, config_enable_backup. */
class TlsConfigFlagsTest {
    static Settings flags(String... args) {
        return Settings.parse(args, Map.of());
    }

    @Test
    void configTlsRefreshIsTheOldNameOfConfigRefresh() {
        assertThat(TlsConfig.refreshSeconds(flags())).isZero();
        assertThat(TlsConfig.refreshSeconds(flags("--config_tls_refresh=300"))).isEqualTo(300);
        assertThat(TlsConfig.refreshSeconds(flags("--config_refresh=60"))).isEqualTo(60);
        assertThat(TlsConfig.refreshSeconds(flags("--config_tls_refresh=300", "--config_refresh=60"))).as("the current name wins")
                .isEqualTo(60);
        assertThat(flags("--config_tls_refresh=300").warnings()).as("a flag hostql has, not a warning").isEmpty();
    }

    @Test
    void theConfigBackupIsOnUnlessTurnedOff() {
        assertThat(TlsConfig.backup(flags())).isTrue();
        assertThat(TlsConfig.backup(flags("--config_enable_backup=false"))).isFalse();
    }
}
