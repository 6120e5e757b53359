package io.hostql.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.sql.Database;
import io.hostql.tables.self.DaemonStateFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hostqlctl status}'s journal lag under a real hostqld: each subscriber's lag behind the journal's head, so a
 * pipeline that stalls as a whole (here: events.db held locked by another writer) shows it, and it goes back to 0.
 */
class HostqlctlStatusEndToEndTest {
    @TempDir
    Path tmp;

    /** file_events' records behind the head, as the state file gives them now (-1: not there yet). */
    private static long fileEventsLag(Path data) {
        String json;
        try {
            json = Files.readString(data.resolve(DaemonStateFile.NAME));
        } catch (Exception e) {
            return -1;
        }
        Matcher m = Pattern.compile("\"name\":\"file_events\",\"index\":-?\\d+,\"records\":(\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static String stateFile(Path data) {
        try {
            return Files.readString(data.resolve(DaemonStateFile.NAME));
        } catch (Exception e) {
            return e.toString();
        }
    }

    @Test
    void aStalledPipelineShowsEachSubscribersLagBehindTheHead() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "hostqlctl runs as root only");
        Path watched = Files.createDirectories(tmp.resolve("watched"));
        Path config = Files.writeString(tmp.resolve("hostql.conf"), """
                {"file_paths": {"watched": ["%s/%%%%"]}, "events": {"disable_subscribers": ["hardware_events"]}}
                """.formatted(watched));
        Path data = tmp.resolve("data");
        try (DaemonProcess d = DaemonProcess.start(config, data, "--disable_audit")) {
            Files.writeString(watched.resolve("first"), "1");
            DaemonProcess.waitFor(() -> fileEventsLag(data) == 0
                    && (long) DaemonProcess.query(data, "SELECT count(*) FROM file_events").rows().get(0)[0] > 0, 20, "file_events caught up");
            assertThat(d.hostqlctl("status")).contains("journal head: record 0x", "  file_events: 0 records behind");

            int files = 20;
            try (Database writer = Database.openInternal(data.resolve("events.db").toString())) {
                writer.executeTrusted("BEGIN IMMEDIATE"); // every subscriber's commit now waits: the whole pipeline stalls
                for (int i = 0; i < files; i++) Files.writeString(watched.resolve("stalled-" + i), "x");
                try {
                    DaemonProcess.waitFor(() -> fileEventsLag(data) >= files, 60, "the state file to show file_events' lag");
                } catch (AssertionError e) { // what the daemon said and wrote, to tell a slow machine from a stuck writer
                    throw new AssertionError(e.getMessage() + "\nstate file: " + stateFile(data) + "\ndaemon output:\n" + d.output(), e);
                }
                String status = d.hostqlctl("status");
                Matcher lag = Pattern.compile("(?m)^  file_events: (\\d+) records behind \\((\\d+) s of capture time\\)$").matcher(status);
                assertThat(lag.find()).as("hostqlctl status:\n" + status).isTrue();
                assertThat(Long.parseLong(lag.group(1))).as("a record per file written, at least").isGreaterThanOrEqualTo(files);
                // The loss subscriber is stalled too, at its own position: behind the head as well, not level with the others.
                assertThat(status).containsPattern("(?m)^  hostql_event_losses: \\d+ records behind");
                // Meanwhile the retention pass (every second here) waits on the locked events.db, 5 s a pass: a change of the
                // state still reaches the file within 2 s, on a thread of its own (it was 5 s and more when they shared one).
                long behind = fileEventsLag(data);
                for (int i = 0; i < 3; i++) Files.writeString(watched.resolve("later-" + i), "x");
                long t0 = System.nanoTime();
                DaemonProcess.waitFor(() -> fileEventsLag(data) >= behind + 3, 20, "the state file to show the later files");
                assertThat((System.nanoTime() - t0) / 1_000_000).as("time until the state file showed a lag that grew while events.db is locked")
                        .isLessThan(4_500);
                writer.executeTrusted("ROLLBACK");
            }
            DaemonProcess.waitFor(() -> (long) DaemonProcess.query(data, "SELECT count(*) FROM file_events WHERE target_path LIKE '%/stalled-%'")
                    .rows().get(0)[0] >= files, 30, "the stalled rows to be stored once the lock is gone");
            DaemonProcess.waitFor(() -> fileEventsLag(data) == 0, 30, "file_events' lag back to 0");
            assertThat(d.output()).doesNotContain("publisher thread failed", "subscriber file_events failed");
            assertThat(d.stop()).isZero();
        }
    }
}
