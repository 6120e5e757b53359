package io.hostql.daemon;

import static io.hostql.daemon.DaemonProcess.query;
import static io.hostql.daemon.DaemonProcess.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.evented.EventStore;
import io.hostql.sql.Database;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "random bytes in the middle of events.db while running": a real hostqld with a 2 s check finds
 * the damage, moves the file aside, rebuilds it from the journal, and then holds each journaled event once.
 */
class EventsDbSelfCheckEndToEndTest {
    @TempDir
    Path tmp;

    static List<String> rows(Path data) {
        List<String> out = new ArrayList<>();
        for (Object[] r : query(data, "SELECT target_path, action FROM file_events ORDER BY eid").rows()) out.add(r[0] + " " + r[1]);
        return out;
    }

    @Test
    void randomBytesInTheMiddleOfEventsDbAreFoundMovedAsideAndRebuiltFromTheJournal() throws Exception {
        Path watched = Files.createDirectories(tmp.resolve("w"));
        // An alert rule on the same rows: the rebuild re-reads the journal, and must not raise its alerts again.
        Path config = Files.writeString(tmp.resolve("hostql.conf"), "{\"file_paths\": {\"w\": [\"" + watched + "/%%\"]},"
                + " \"alerts\": {\"created\": {\"table\": \"file_events\", \"where\": \"action = 'CREATED'\"}}}");
        Path data = tmp.resolve("data");
        Path db = data.resolve("events.db");
        List<String> before;
        try (DaemonProcess d = DaemonProcess.start(config, data, "--events_integrity_check_interval", "2")) {
            String name = "before-" + "x".repeat(120) + "-";
            for (int i = 0; i < 400; i++) Files.writeString(watched.resolve(name + i), "content " + i);
            // Every row of the last file (as many as the first file's: each write makes the same events), not just its
            // first: rows committed after `before` is read would be taken for rows after the rebuild.
            String first = "SELECT count(*) FROM file_events WHERE target_path = '" + watched.resolve(name + 0) + "'";
            String last = "SELECT count(*) FROM file_events WHERE target_path = '" + watched.resolve(name + 399) + "'";
            waitFor(() -> {
                long n = (Long) query(data, last).rows().get(0)[0];
                return n > 0 && n == (Long) query(data, first).rows().get(0)[0];
            }, 60, "every row of the files before the damage");
            before = rows(data);
            // What SQLite's own autocheckpoint does once the WAL is big: the rows move into the main file, whose
            // middle is then overwritten (past the header, whole pages), as a disk or a stray write would.
            // The noise goes on file_events' middle leaf page: the middle of the file may be a free page (which
            // quick_check does not read), depending on how many tables events.db holds.
            long leaf;
            try (Database rw = Database.openInternal(db.toString())) {
                rw.executeTrusted("PRAGMA wal_checkpoint(TRUNCATE)");
                List<Object[]> leaves = rw.queryTrusted("SELECT pageno FROM dbstat WHERE name = 'file_events' AND pagetype = 'leaf'"
                        + " ORDER BY pageno").rows();
                leaf = (Long) leaves.get(leaves.size() / 2)[0];
            }
            long size = Files.size(db);
            assertThat(size).as("rows are in the main file").isGreaterThan(20 * 4096);
            byte[] noise = new byte[4 * 4096];
            new Random(10).nextBytes(noise);
            long at = (leaf - 1) * 4096;
            try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
                f.seek(at);
                f.write(noise);
            }
            long damagedAt = System.nanoTime();

            waitFor(() -> d.output().contains("rebuilding its rows from the journal"), 30, "the damage to be found");
            double foundAfter = (System.nanoTime() - damagedAt) / 1e9;
            // The check interval (2 s), the throttle (2000 times a check's CPU time) and a loaded machine's
            // scheduling: far below the 60 s default, so it is the 2 s check that found it.
            assertThat(foundAfter).as("found within the check interval (2 s), the throttle and a busy machine's delays").isLessThan(15);
            waitFor(() -> d.output().contains("events.db rebuilt from the journal"), 60, "the rebuild");
            String out = d.output();
            assertThat(out).containsPattern("ERROR .*events\\.db is damaged \\(.*\\); moved aside to .*/damaged/events\\.db\\.\\d+; rebuilding");
            assertThat(out).containsPattern("INFO .*events\\.db rebuilt from the journal in \\d+ s: \\d+ file_events");
            try (var files = Files.list(data.resolve(EventStore.DAMAGED_DIR))) {
                assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.matches("events\\.db\\.\\d+"));
            }
            assertThat(data.resolve(EventStore.REBUILDING_MARKER)).doesNotExist();

            for (int i = 0; i < 50; i++) Files.writeString(watched.resolve("after-" + i), "after " + i);
            waitFor(() -> query(data, "SELECT count(*) FROM file_events WHERE target_path LIKE '%after-49'").rows().get(0)[0]
                    .equals(0L) == false, 60, "rows after the rebuild");
            assertThat(d.stop()).isZero();
            List<String> alerts = Files.readAllLines(d.logs.resolve("hostqld.results.log"));
            assertThat(alerts.stream().filter(l -> l.contains("-399\"")).count()).as("one alert per event, none again at the rebuild")
                    .isEqualTo(1);
            assertThat(alerts.stream().filter(l -> l.contains("/after-49\"")).count()).as("alerts after the rebuild").isEqualTo(1);
        }
        List<String> journaled = DaemonRobustnessTest.journaled(data);
        List<String> after = rows(data);
        assertThat(after).as("every journaled file event once, in order").isEqualTo(journaled);
        assertThat(after.subList(0, before.size())).as("the rows before the damage came back").isEqualTo(before);
        assertThat(after.subList(before.size(), after.size())).as("then the new ones").allMatch(r -> r.contains("/after-"))
                .anyMatch(r -> r.contains("/after-0 ")).anyMatch(r -> r.contains("/after-49 "));
        assertThat(query(data, "SELECT count(DISTINCT eid) FROM file_events").rows().get(0)[0]).isEqualTo((long) after.size());
        try (Database check = Database.openInternal(db.toString())) {
            assertThat(check.queryTrusted("PRAGMA quick_check").rows().get(0)[0]).isEqualTo("ok");
        }
    }
}
