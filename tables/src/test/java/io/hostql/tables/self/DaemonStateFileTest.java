package io.hostql.tables.self;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonStateFileTest {
    static final DaemonState.QueryStatus QUERY = new DaemonState.QueryStatus("pack_p_q", "SELECT 1", 10, 3, 1796578000, true, 42,
            1500, 500, 20, 10, 30, 10, 1000, 900, "p");
    static final DaemonState.PackStatus PACK = new DaemonState.PackStatus("p", "linux", "5.0.0", 50, 2, 1, true);
    static final DaemonState.EventSource SOURCE = new DaemonState.EventSource("inotify", "inotify", "publisher", 1, 7, 0, true, 2);

    static DaemonState fixed() {
        return withSchedule(() -> List.of(QUERY));
    }

    /** PACK and SOURCE, with the schedule the supplier gives at each call. */
    static DaemonState withSchedule(java.util.function.Supplier<List<DaemonState.QueryStatus>> schedule) {
        return new DaemonState() {
            @Override
            public List<QueryStatus> schedule() {
                return schedule.get();
            }

            @Override
            public List<PackStatus> packs() {
                return List.of(PACK);
            }

            @Override
            public List<EventSource> eventSources() {
                return List.of(SOURCE);
            }
        };
    }

    @Test
    void aShellReadsTheStateTheRunningDaemonWrote(@TempDir Path data) throws Exception {
        DaemonStateFile.write(data, fixed()); // this JVM stands for the running hostqld
        DaemonState read = DaemonStateFile.reader(data);
        assertThat(read.schedule()).containsExactly(QUERY);
        assertThat(read.packs()).containsExactly(PACK);
        assertThat(read.eventSources()).containsExactly(SOURCE);
        assertThat(data.resolve(DaemonStateFile.NAME + ".tmp")).doesNotExist();
        DaemonStateFile.remove(data);
        assertThat(read.schedule()).isEmpty();
    }

    @Test
    void aGoneOrHungDaemonOrAnUnreadableFileShowsNothing(@TempDir Path data) throws Exception {
        assertThat(DaemonStateFile.reader(data).schedule()).isEmpty(); // no file
        Files.writeString(data.resolve(DaemonStateFile.NAME), "{not json");
        assertThat(DaemonStateFile.reader(data).packs()).isEmpty();
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(data.resolve(DaemonStateFile.NAME), "{\"pid\":" + gone.pid() + ",\"time\":" + System.currentTimeMillis() / 1000
                + ",\"schedule\":[],\"packs\":[{\"name\":\"p\"}],\"events\":[]}");
        assertThat(DaemonStateFile.reader(data).packs()).isEmpty();
        long old = System.currentTimeMillis() / 1000 - DaemonStateFile.STALE_SECONDS - 5;
        Files.writeString(data.resolve(DaemonStateFile.NAME), "{\"pid\":" + ProcessHandle.current().pid() + ",\"time\":" + old
                + ",\"schedule\":[],\"packs\":[{\"name\":\"p\"}],\"events\":[]}");
        assertThat(DaemonStateFile.reader(data).packs()).isEmpty();
    }

    @Test
    void theDaemonsWriterRewritesTheFileOnlyWhenTheStateChanged(@TempDir Path data) throws Exception {
        List<DaemonState.QueryStatus> schedule = new java.util.ArrayList<>(List.of(QUERY));
        DaemonState state = withSchedule(() -> List.copyOf(schedule));
        DaemonStateFile.Writer writer = new DaemonStateFile.Writer(data);
        assertThat(writer.write(state)).as("the first state").isTrue();
        Path file = data.resolve(DaemonStateFile.NAME);
        Object inode = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        assertThat(writer.write(state)).as("the same state again (equal, not the same objects)").isFalse();
        assertThat(Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey()).as("the file left alone")
                .isEqualTo(inode);

        DaemonState.QueryStatus ranAgain = new DaemonState.QueryStatus("pack_p_q", "SELECT 1", 10, 4, 1796578010, false, 42, 1600, 100,
                20, 0, 30, 0, 1000, 900, "p");
        schedule.set(0, ranAgain);
        assertThat(writer.write(state)).as("a query ran since").isTrue();
        assertThat(DaemonStateFile.reader(data).schedule()).containsExactly(ranAgain);
    }
}
