package io.hostql.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cycle file names as Chronicle writes them, and record positions a user can find. */
class CycleFilesTest {
    @TempDir
    Path dir;

    @Test
    void aCycleAndItsFileNameGoBothWays() {
        CycleFiles f = new CycleFiles(dir, RollCycles.FAST_HOURLY);
        int cycle = (int) (1_700_000_000_000L / RollCycles.FAST_HOURLY.lengthInMillis());
        assertThat(f.name(cycle)).isEqualTo("20231114-22F.cq4");
        assertThat(f.cycleOf(f.path(cycle))).isEqualTo(cycle);
        assertThat(f.cycleOf(dir.resolve("metadata.cq4t"))).isEqualTo(Integer.MAX_VALUE);
        assertThat(f.describe(RollCycles.FAST_HOURLY.toIndex(cycle, 0))).isEqualTo("1 of journal file 20231114-22F.cq4");
    }

    @Test
    void theNewestFileAndTheBytesOfAll() throws Exception {
        CycleFiles f = new CycleFiles(dir, RollCycles.FAST_HOURLY);
        assertThat(f.newest()).isNull();
        assertThat(f.bytesOnDisk()).isZero();
        Files.write(dir.resolve("20231114-22F.cq4"), new byte[100]);
        Files.write(dir.resolve("20231114-23F.cq4"), new byte[20]);
        Files.write(dir.resolve("metadata.cq4t"), new byte[1000]);
        assertThat(f.newest()).isEqualTo(dir.resolve("20231114-23F.cq4"));
        assertThat(f.bytesOnDisk()).isEqualTo(120);
        assertThat(new CycleFiles(dir.resolve("absent"), RollCycles.FAST_HOURLY).bytesOnDisk()).isEqualTo(-1);
    }
}
