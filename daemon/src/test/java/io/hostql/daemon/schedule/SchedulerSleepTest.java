package io.hostql.daemon.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hostql.config.Settings;
import io.hostql.config.osquery.ConfigLoader;
import io.hostql.evented.EventedTables;
import io.hostql.loggers.FilesystemLogger;
import io.hostql.sql.table.TableRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduler sleeps until a query is due instead of waking every second: an empty schedule costs no wake-ups, a
 * config given meanwhile is applied at the next second, and a query runs at each second its splayed interval divides.
 */
class SchedulerSleepTest {
    @TempDir
    Path tmp;

    @Test
    void anIdleSchedulerSleepsAndAConfigGivenMeanwhileRunsItsQueryAtItsSeconds() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data")), logs = Files.createDirectories(tmp.resolve("logs"));
        Path empty = Files.writeString(tmp.resolve("empty.conf"), "{}");
        Path every2 = Files.writeString(tmp.resolve("every2.conf"), """
                {"schedule": {"two": {"query": "SELECT hostql_run_time() AS t", "interval": 2}}}
                """);
        // Splay 1%: an interval of 2 stays 2 (splay moves it by whole seconds only).
        Settings settings = Settings.parse(new String[] {"--schedule_splay_percent=1", "--watchdog_level=-1"}, Map.of());
        Path results = logs.resolve(FilesystemLogger.RESULTS);
        try (FilesystemLogger resultLog = new FilesystemLogger(logs, "0640", 0, 1)) {
            Scheduler scheduler = new Scheduler(settings, new TableRegistry(), data, data.resolve("events.db"), EventedTables.all(),
                    resultLog, "test-host");
            try {
                scheduler.configure(ConfigLoader.load(empty));
                scheduler.start();
                Thread.sleep(1500); // the empty config applied
                Path task = task("hostql-schedule"); // the kernel's thread name: 15 characters
                long woken = wakeUps(task);
                Thread.sleep(3500);
                assertThat(wakeUps(task) - woken).as("wake-ups of an empty schedule's thread in 3.5 s (it woke every second)")
                        .isLessThanOrEqualTo(1);

                long given = System.currentTimeMillis() / 1000;
                scheduler.configure(ConfigLoader.load(every2));
                long end = System.nanoTime() + 15_000_000_000L;
                while (!Files.exists(results) || Files.readAllLines(results).size() < 3) { // two runs: an added line, then two more
                    assertThat(System.nanoTime()).as("two runs within 15 s").isLessThan(end);
                    Thread.sleep(100);
                }
                List<Long> runs = Files.readAllLines(results).stream().map(SchedulerSleepTest::unixTime).distinct().toList();
                assertThat(runs.get(0)).as("the first run, after the config came mid-sleep").isBetween(given, given + 3);
                for (long t : runs) assertThat(t % 2).as("a run at second " + t).isZero();
                for (int i = 1; i < runs.size(); i++) assertThat(runs.get(i) - runs.get(i - 1)).as("runs " + runs).isEqualTo(2);
            } finally {
                scheduler.close();
            }
        }
    }

    private static long unixTime(String line) {
        try {
            JsonNode n = new ObjectMapper().readTree(line);
            return n.get("unixTime").asLong();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(line, e);
        }
    }

    /** This JVM's thread of that kernel name, under /proc/self/task. */
    private static Path task(String comm) throws java.io.IOException {
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            List<Path> found = tasks.filter(t -> {
                try {
                    return Files.readString(t.resolve("comm")).strip().equals(comm);
                } catch (java.io.IOException gone) {
                    return false;
                }
            }).toList();
            assertThat(found).as("threads named " + comm).hasSize(1);
            return found.get(0);
        }
    }

    /** The times the thread went to sleep (its voluntary context switches). */
    private static long wakeUps(Path task) throws java.io.IOException {
        return Files.readAllLines(task.resolve("status")).stream().filter(l -> l.startsWith("voluntary_ctxt_switches:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElseThrow();
    }
}
