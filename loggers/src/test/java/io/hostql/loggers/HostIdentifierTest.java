package io.hostql.loggers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostIdentifierTest {
    @TempDir
    Path data;

    @Test
    void hostnameIsWhatTheHostnameCommandSays() throws Exception {
        Process p = new ProcessBuilder("hostname").start();
        String witness = new String(p.getInputStream().readAllBytes()).strip();
        assertThat(HostIdentifier.resolve("hostname", "", data, () -> "")).isEqualTo(witness);
    }

    @Test
    void instanceIsAUuidKeptInTheDataDirAcrossCalls() {
        String a = HostIdentifier.resolve("instance", "", data, () -> "");
        UUID.fromString(a);
        assertThat(HostIdentifier.resolve("instance", "", data, () -> "")).isEqualTo(a);
        assertThat(data.resolve(HostIdentifier.INSTANCE_FILE)).hasContent(a);
    }

    @Test
    void ephemeralUuidAndSpecifiedModes() {
        String e = HostIdentifier.resolve("ephemeral", "", data, () -> "");
        UUID.fromString(e);
        assertThat(e).isNotEqualTo(HostIdentifier.resolve("instance", "", data, () -> ""));
        assertThat(HostIdentifier.resolve("uuid", "", data, () -> "4C4C4544-0000")).isEqualTo("4C4C4544-0000");
        assertThat(HostIdentifier.resolve("specified", "web-7", data, () -> "")).isEqualTo("web-7");
        assertThatThrownBy(() -> HostIdentifier.resolve("specified", "", data, () -> "")).hasMessageContaining("specified_identifier");
        assertThatThrownBy(() -> HostIdentifier.resolve("mac", "", data, () -> "")).hasMessageContaining("hostname, uuid");
    }
}
