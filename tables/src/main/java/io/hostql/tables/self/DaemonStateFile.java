package io.hostql.tables.self;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.function.Function;

/**
 * {@code <database_path>/hostqld.state.json}: what hostqld's osquery_schedule, osquery_packs and osquery_events
 * show, written by hostqld when it changes (looked at every few seconds) and at least every {@link #REFRESH_SECONDS}, so that a shell on the same data dir shows the running daemon's
 * state in those tables (osqueryi has no such view; hostqli attaches the daemon's data for its evented tables
 * already). Read at each query; a daemon that is gone, or a file written long ago, shows nothing. It also carries the
 * journal's head and each subscriber's lag behind it, which {@code hostqlctl status} prints.
 */
public final class DaemonStateFile {
    public static final String NAME = "hostqld.state.json";
    /** Older than this, the writer is taken for hung or gone (it writes at least every {@link #REFRESH_SECONDS}). */
    static final long STALE_SECONDS = 60;
    /**
     * An unchanged state is written again this often, well within {@link #STALE_SECONDS}: rewriting it every few seconds
     * (a new file renamed over the old, whose blocks the filesystem then frees) was most of an idle daemon's cost.
     */
    public static final long REFRESH_SECONDS = 30;

    /** Made at first use: every shell start makes a reader, and an ObjectMapper costs hostqli a quarter of its start-up. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    record Snapshot(long pid, long time, List<DaemonState.QueryStatus> schedule, List<DaemonState.PackStatus> packs,
            List<DaemonState.EventSource> events, DaemonState.JournalState journal) {
        static final Snapshot NONE = new Snapshot(0, 0, List.of(), List.of(), List.of(), null);

        Snapshot at(long t) {
            return new Snapshot(pid, t, schedule, packs, events, journal);
        }
    }

    private DaemonStateFile() {}

    /** hostqld's writer of the file: {@link #write(DaemonState)} writes only a state that changed, or one {@link #REFRESH_SECONDS} old. */
    public static final class Writer {
        private final Path dataDir;
        /** The state last written, its time left out; null until a write worked. */
        private Snapshot written;
        private long writtenAt;

        public Writer(Path dataDir) {
            this.dataDir = dataDir;
        }

        /** True when the file was written, false when it already held this state. */
        public boolean write(DaemonState state) throws IOException {
            long now = System.currentTimeMillis() / 1000;
            Snapshot s = snapshot(state, now);
            Snapshot timeless = s.at(0);
            if (timeless.equals(written) && now - writtenAt < REFRESH_SECONDS && now >= writtenAt) return false;
            DaemonStateFile.write(dataDir, s);
            written = timeless;
            writtenAt = now;
            return true;
        }
    }

    /** Replaces the file with the state now (a new file renamed over the old: a reader never sees half of one). */
    public static void write(Path dataDir, DaemonState state) throws IOException {
        write(dataDir, snapshot(state, System.currentTimeMillis() / 1000));
    }

    private static Snapshot snapshot(DaemonState state, long time) {
        return new Snapshot(ProcessHandle.current().pid(), time, state.schedule(), state.packs(), state.eventSources(), state.journal());
    }

    private static void write(Path dataDir, Snapshot s) throws IOException {
        Path tmp = dataDir.resolve(NAME + ".tmp");
        try {
            Json.MAPPER.writeValue(tmp.toFile(), s);
            Files.move(tmp, dataDir.resolve(NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** At stop: a shell then shows no state rather than the last one. */
    public static void remove(Path dataDir) {
        try {
            Files.deleteIfExists(dataDir.resolve(NAME));
        } catch (IOException ignored) {
            // the reader also checks that the writer still runs
        }
    }

    /** The running daemon's state as the file gives it; empty when there is none, it cannot be read or its writer is gone. */
    public static DaemonState reader(Path dataDir) {
        Path file = dataDir.resolve(NAME);
        return new DaemonState() {
            @Override
            public List<QueryStatus> schedule() {
                return read(file, Snapshot::schedule);
            }

            @Override
            public List<PackStatus> packs() {
                return read(file, Snapshot::packs);
            }

            @Override
            public List<EventSource> eventSources() {
                return read(file, Snapshot::events);
            }
        };
    }

    private static <T> List<T> read(Path file, Function<Snapshot, List<T>> part) {
        Snapshot s;
        try {
            s = Json.MAPPER.readValue(file.toFile(), Snapshot.class);
        } catch (IOException e) {
            return List.of(); // none, not ours to read (not root), or being replaced: no daemon state to show
        }
        boolean running = ProcessHandle.of(s.pid()).map(ProcessHandle::isAlive).orElse(false);
        if (!running || System.currentTimeMillis() / 1000 - s.time() > STALE_SECONDS) return List.of();
        List<T> out = part.apply(s);
        return out == null ? List.of() : out;
    }
}
