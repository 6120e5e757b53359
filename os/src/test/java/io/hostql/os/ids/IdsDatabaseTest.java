package io.hostql.os.ids;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdsDatabaseTest {
    private static final String IDS = """
            # comment
            1d6b  Linux Foundation
            \t0002  2.0 root hub
            8086  Intel Corporation
            \t1237  440FX - 82441FX PMC [Natoma]
            \t\t1af4 1100  Qemu virtual machine
            C 06  Bridge
            \t00  Host bridge
            AT 0001  Not a vendor
            """;

    @Test
    void vendorsDevicesSubsystemsAndClasses() {
        IdsDatabase db = IdsDatabase.parse(IDS);
        assertThat(db.vendor("1d6b")).isEqualTo("Linux Foundation");
        assertThat(db.device("1d6b", "0002")).isEqualTo("2.0 root hub");
        assertThat(db.subsystem("8086", "1237", "1af4", "1100")).isEqualTo("Qemu virtual machine");
        assertThat(db.deviceClass("06")).isEqualTo("Bridge");
        assertThat(db.subclass("06", "00")).isEqualTo("Host bridge");
        assertThat(db.vendor("0001")).isNull();
    }

    @Test
    void theFirstReadableCandidateIsLoadedAndCached(@TempDir Path dir) throws Exception {
        Path ids = dir.resolve("usb.ids");
        Files.writeString(ids, IDS);
        IdsDatabase first = IdsDatabase.load(List.of(dir.resolve("missing"), ids));
        assertThat(first.vendor("8086")).isEqualTo("Intel Corporation");
        assertThat(IdsDatabase.load(List.of(ids))).isSameAs(first);
        assertThat(IdsDatabase.load(List.of(dir.resolve("missing")))).isSameAs(IdsDatabase.EMPTY);
    }
}
