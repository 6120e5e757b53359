package io.hostql.daemon.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hostql.config.Settings;
import io.hostql.config.osquery.ConfigLoader;
import io.hostql.evented.EventedTables;
import io.hostql.loggers.FilesystemLogger;
import io.hostql.sql.table.TableRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The scheduler on a real full disk (2 MB tmpfs mounts for the data dir and the log dir, filled in turn): a run is
 * never repeated, a failed query is one status line per run, and the fault is one line when the
 * disk fills and one when it is freed, with the count of result lines not written.
 */
class SchedulerStorageFaultTest {
    @TempDir
    Path tmp;

    @Test
    void aFullDiskNeverRepeatsARunAndSaysSoOnceEachWay() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "mounting a tmpfs needs root");
        Path data = Files.createDirectories(tmp.resolve("data")), logs = Files.createDirectories(tmp.resolve("logs"));
        run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", data.toString());
        run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", logs.toString());
        ListAppender<ILoggingEvent> status = new ListAppender<>();
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.hostql.daemon.schedule");
        status.start();
        logger.addAppender(status);
        try {
            // A changing row of ~20 KB: every run writes an added and a removed line and its state, so once the disk is full
            // both the result log and the schedule state (SQLite's WAL) need space they cannot get.
            Path conf = Files.writeString(tmp.resolve("hostql.conf"), """
                    {"schedule": {
                      "every": {"query": "SELECT hostql_run_time() AS t, replace(hex(zeroblob(10000)), '0', 'x') AS pad", "interval": 1},
                      "failing": {"query": "SELECT * FROM no_such_table", "interval": 1}}}
                    """);
            Settings settings = Settings.parse(new String[] {"--schedule_denylist_failures=1000", "--watchdog_level=-1"}, Map.of());
            Path results = logs.resolve(FilesystemLogger.RESULTS);
            long dataFull, dataFreed, logsFull, logsFreed;
            Scheduler scheduler;
            try (FilesystemLogger resultLog = new FilesystemLogger(logs, "0640", 0, 1)) {
                scheduler = new Scheduler(settings, new TableRegistry(), data, data.resolve("events.db"), EventedTables.all(),
                        resultLog, "test-host");
                try {
                    scheduler.configure(ConfigLoader.load(conf));
                    scheduler.start();
                    waitFor(() -> Files.exists(results) && Files.size(results) > 0, 10);
                    Thread.sleep(1500);
                    // The data dir full (issue 10's case): the state cannot be saved, the result lines go on, once per run.
                    dataFull = System.currentTimeMillis() / 1000;
                    Path filler = fill(data.resolve("filler"));
                    Thread.sleep(3500);
                    dataFreed = System.currentTimeMillis() / 1000;
                    Files.delete(filler);
                    Thread.sleep(2000);
                    // The log dir full: result lines cannot be written.
                    logsFull = System.currentTimeMillis() / 1000;
                    filler = fill(logs.resolve("filler"));
                    Thread.sleep(3500);
                    logsFreed = System.currentTimeMillis() / 1000;
                    Files.delete(filler);
                    Thread.sleep(2500);
                } finally {
                    scheduler.close();
                }
            }

            // Every result line parses (none torn by the full disk), and each run of "every" is logged once: one counter per
            // unixTime, counters rising with it, and runs again after the disk was freed.
            ObjectMapper json = new ObjectMapper();
            TreeMap<Long, Long> counterAt = new TreeMap<>();
            for (String line : Files.readAllLines(results)) {
                JsonNode n = json.readTree(line);
                assertThat(n.get("name").asText()).isEqualTo("every");
                Long before = counterAt.put(n.get("unixTime").asLong(), n.get("counter").asLong());
                assertThat(before == null || before == n.get("counter").asLong()).as("one run per unixTime: " + line).isTrue();
            }
            List<Long> counters = new ArrayList<>(counterAt.values());
            for (int i = 1; i < counters.size(); i++) assertThat(counters.get(i)).isGreaterThan(counters.get(i - 1));
            assertThat(counterAt.subMap(dataFull + 1, dataFreed).keySet()).as("runs logged while the data dir is full").isNotEmpty();
            assertThat(counterAt.subMap(logsFull + 2, logsFreed).keySet()).as("nothing is written while the log dir is full").isEmpty();
            assertThat(counterAt.lastKey()).as("runs are logged after the log dir was freed").isGreaterThan(logsFreed);

            // The fault: one line when it starts, one when it ends with the count; none per attempt, no stack trace.
            assertThat(messages(status, Level.ERROR, "cannot write result lines")).hasSize(1);
            List<String> recovered = messages(status, Level.WARN, "result lines can be written again");
            assertThat(recovered).hasSize(1);
            assertThat(recovered.get(0)).containsPattern("; \\d+ result lines of \\d+ runs were not written$");
            assertThat(messages(status, Level.ERROR, "cannot write the schedule state")).hasSize(1)
                    .allSatisfy(m -> assertThat(m).contains("database or disk is full"));
            assertThat(messages(status, Level.WARN, "the schedule state")).hasSize(1)
                    .allSatisfy(m -> assertThat(m).contains("can be written again"));
            try (ScheduleState state = new ScheduleState(data.resolve("schedule.db"))) {
                assertThat(state.load("every").counter()).as("the state on disk after the fault is the last run's")
                        .isEqualTo(counters.get(counters.size() - 1));
            }
            assertThat(messages(status, Level.ERROR, "scheduler tick")).isEmpty();
            // The failing query: one line per run (one a second, never a retry of the same second), no stack trace.
            long failedLines = messages(status, Level.WARN, "scheduled query failing failed").size();
            long executions = scheduler.status().stream().filter(s -> s.name().equals("failing")).findFirst().orElseThrow().executions();
            assertThat(failedLines).isEqualTo(executions);
            assertThat(executions).isBetween(11L, 18L); // about 14 s of ticks
            assertThat(status.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .allSatisfy(e -> assertThat(e.getThrowableProxy()).as(e.getFormattedMessage()).isNull());
        } finally {
            logger.detachAppender(status);
            run("umount", "-l", data.toString());
            run("umount", "-l", logs.toString());
        }
    }

    /** Writes until the file system says it is full. */
    private static Path fill(Path file) throws IOException {
        byte[] chunk = new byte[4096];
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) out.write(chunk);
        } catch (IOException e) {
            assertThat(e.getMessage()).contains("No space left on device");
        }
        return file;
    }

    private static List<String> messages(ListAppender<ILoggingEvent> status, Level level, String start) {
        return status.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.startsWith(start)).toList();
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void waitFor(Check c, int seconds) throws Exception {
        long end = System.currentTimeMillis() + seconds * 1000L;
        while (!c.ok()) {
            assertThat(System.currentTimeMillis()).as("timed out").isLessThan(end);
            Thread.sleep(100);
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isZero();
    }
}
