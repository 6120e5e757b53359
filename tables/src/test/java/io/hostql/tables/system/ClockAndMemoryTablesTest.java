package io.hostql.tables.system;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.rows;
import static io.hostql.tables.TableTests.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClockAndMemoryTablesTest {
    @Test
    void uptimeMatchesUptimeSince() {
        // `uptime -s` prints the boot time; now - boot is the uptime, to the second.
        String since = run("uptime", "-s").strip();
        long boot = java.time.LocalDateTime.parse(since.replace(' ', 'T')).atZone(java.time.ZoneId.systemDefault()).toEpochSecond();
        Map<String, Object> r = rows("SELECT * FROM uptime").get(0);
        long total = (Long) r.get("total_seconds");
        assertThat(total).isCloseTo(Instant.now().getEpochSecond() - boot, within(3L));
        assertThat((Long) r.get("days") * 86400 + (Long) r.get("hours") * 3600 + (Long) r.get("minutes") * 60
                + (Long) r.get("seconds")).isEqualTo(total);
    }

    @Test
    void uptimeSplitsDaysHoursMinutes(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("uptime");
        Files.writeString(f, "200000.97 350000.12\n");
        assertThat(generate(new UptimeTable(f)).get(0)).containsEntry("days", 2L).containsEntry("hours", 7L)
                .containsEntry("minutes", 33L).containsEntry("seconds", 20L).containsEntry("total_seconds", 200000L);
        Files.writeString(f, "garbage\n");
        assertThatThrownBy(() -> generate(new UptimeTable(f))).hasMessageContaining(f.toString());
    }

    @Test
    void timeMatchesDate() {
        long date = Long.parseLong(run("date", "+%s").strip());
        Map<String, Object> r = rows("SELECT * FROM time").get(0);
        long unix = (Long) r.get("unix_time");
        assertThat(unix).isCloseTo(date, within(2L));
        assertThat(r.get("local_timezone")).isEqualTo(run("date", "+%Z").strip());
        ZonedDateTime t = Instant.ofEpochSecond(unix).atZone(ZoneOffset.UTC);
        assertThat(r).containsEntry("year", (long) t.getYear()).containsEntry("month", (long) t.getMonthValue())
                .containsEntry("day", (long) t.getDayOfMonth()).containsEntry("hour", (long) t.getHour())
                .containsEntry("minutes", (long) t.getMinute()).containsEntry("seconds", (long) t.getSecond())
                .containsEntry("timezone", "UTC");
        // the same instant formatted by date(1): asctime layout and ISO 8601
        assertThat(r.get("timestamp")).isEqualTo(run("date", "-u", "-d", "@" + unix, "+%a %b %e %H:%M:%S %Y").strip() + " UTC");
        assertThat(r.get("datetime")).isEqualTo(run("date", "-u", "-d", "@" + unix, "+%Y-%m-%dT%H:%M:%SZ").strip());
        assertThat(r.get("iso_8601")).isEqualTo(r.get("datetime"));
        assertThat(r.get("weekday")).isEqualTo(run("date", "-u", "-d", "@" + unix, "+%A").strip());
    }

    @Test
    void loadAverageMatchesUptimeTool() {
        String out = run("uptime");
        String[] w = out.substring(out.indexOf("load average:") + 13).strip().split(",\\s*");
        List<Map<String, Object>> r = rows("SELECT period, average FROM load_average");
        assertThat(r).extracting(m -> m.get("period")).containsExactly("1m", "5m", "15m");
        for (int i = 0; i < 3; i++) {
            String avg = (String) r.get(i).get("average");
            assertThat(avg).matches("\\d+\\.\\d{6}");
            // the kernel refreshes the averages every 5 s, so allow for one update between the two reads
            assertThat(Double.parseDouble(avg)).isCloseTo(Double.parseDouble(w[i]), within(1.0));
        }
    }

    @Test
    void loadAverageFormatsAsOsquery(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("loadavg");
        Files.writeString(f, "0.15 1.05 12.00 2/300 4242\n");
        assertThat(generate(new LoadAverageTable(f))).extracting(m -> m.get("period") + "=" + m.get("average"))
                .containsExactly("1m=0.150000", "5m=1.050000", "15m=12.000000");
    }

    @Test
    void memoryInfoMatchesFree() {
        Map<String, Object> r = rows("SELECT * FROM memory_info").get(0);
        String[] mem = null, swap = null;
        for (String line : run("free", "-b").split("\n")) {
            if (line.startsWith("Mem:")) mem = line.split("\\s+");
            if (line.startsWith("Swap:")) swap = line.split("\\s+");
        }
        assertThat(r.get("memory_total")).isEqualTo(Long.parseLong(mem[1]));
        assertThat(r.get("swap_total")).isEqualTo(Long.parseLong(swap[1]));
        assertThat((Long) r.get("memory_free")).isCloseTo(Long.parseLong(mem[3]), within(256L << 20));
        assertThat((Long) r.get("memory_available")).isCloseTo(Long.parseLong(mem[6]), within(256L << 20));
        assertThat((Long) r.get("memory_total")).isGreaterThanOrEqualTo((Long) r.get("memory_available"));
        assertThat(r.values()).doesNotContainNull();
    }

    @Test
    void memoryInfoIsInBytes(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("meminfo");
        Files.writeString(f, "MemTotal:       16318220 kB\nMemFree:         1000 kB\nActive(anon):  5 kB\nActive:    7 kB\n"
                + "HugePages_Total:       0\nSwapTotal: x kB\n");
        Map<String, Object> r = generate(new MemoryInfoTable(f)).get(0);
        assertThat(r).containsEntry("memory_total", 16318220L * 1024).containsEntry("memory_free", 1024000L)
                .containsEntry("active", 7168L).containsEntry("swap_total", null).containsEntry("inactive", null);
    }
}
