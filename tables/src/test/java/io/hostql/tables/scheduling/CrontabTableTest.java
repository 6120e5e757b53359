package io.hostql.tables.scheduling;

import static io.hostql.tables.TableTests.generate;
import static io.hostql.tables.TableTests.rows;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrontabTableTest {
    @Test
    void parsesSystemAndUserCrontabs(@TempDir Path dir) throws Exception {
        Path etc = dir.resolve("crontab");
        Files.writeString(etc, String.join("\n",
                "# /etc/crontab: system-wide crontab",
                "SHELL=/bin/sh",
                "PATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin",
                "MAILTO = \"ops team\"  x y z w v",
                "\"QUOTED\"=1 2 3 4 5 6",
                "",
                "   # indented comment",
                "17 *\t* * *\troot    cd / && run-parts --report /etc/cron.hourly",
                "25 6 * * 1-5 root test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )\r",
                "@daily   nobody /usr/bin/cleanup --all",
                "@reboot root",
                "1 2 3 4 5",
                ""));
        Path cronD = Files.createDirectories(dir.resolve("cron.d"));
        Files.writeString(cronD.resolve("e2scrub_all"), "30 3 * * 0 root test -e /run/systemd/system || SERVICE_MODE=1 /sbin/e2scrub_all\n");
        Files.createDirectories(cronD.resolve("subdir"));
        Path spool = Files.createDirectories(dir.resolve("spool/crontabs"));
        Files.writeString(spool.resolve("alice"), "# DO NOT EDIT\nMAILTO=alice\n*/5 * * * * /usr/bin/backup  --all %now\n@reboot /home/alice/start.sh\n");

        CrontabTable table = new CrontabTable(etc, List.of(cronD), List.of(dir.resolve("spool"), spool));
        List<Map<String, Object>> out = generate(table);
        List<String> got = new ArrayList<>();
        for (Map<String, Object> r : out) {
            got.add(r.get("event") + "|" + r.get("minute") + "|" + r.get("hour") + "|" + r.get("day_of_month") + "|"
                    + r.get("month") + "|" + r.get("day_of_week") + "|" + r.get("command") + "|"
                    + dir.relativize(Path.of((String) r.get("path"))) + "|" + r.get("username"));
        }
        assertThat(got).containsExactly(
                "null|17|*|*|*|*|root cd / && run-parts --report /etc/cron.hourly|crontab|root",
                "null|25|6|*|*|1-5|root test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )|crontab|root",
                "@daily|null|null|null|null|null|nobody /usr/bin/cleanup --all|crontab|nobody",
                "@reboot|null|null|null|null|null|root|crontab|null",
                "null|30|3|*|*|0|root test -e /run/systemd/system || SERVICE_MODE=1 /sbin/e2scrub_all|cron.d/e2scrub_all|root",
                "null|*/5|*|*|*|*|/usr/bin/backup --all %now|spool/crontabs/alice|alice",
                "@reboot|null|null|null|null|null|/home/alice/start.sh|spool/crontabs/alice|alice");
    }

    @Test
    void realCronDFilesMatchTheirJobLines() throws Exception {
        Path cronD = Path.of("/etc/cron.d");
        Assumptions.assumeTrue(Files.isDirectory(cronD), "needs /etc/cron.d");
        int expected = 0;
        List<String> commands = new ArrayList<>();
        try (var files = Files.list(cronD)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                for (String line : Files.readAllLines(f)) {
                    String t = line.strip();
                    if (t.isEmpty() || t.startsWith("#") || t.split("\\s+")[0].contains("=")) continue;
                    String[] fields = t.split("\\s+");
                    if (fields[0].startsWith("@") ? fields.length < 2 : fields.length < 6) continue;
                    expected++;
                    commands.add(String.join(" ", java.util.Arrays.copyOfRange(fields, fields[0].startsWith("@") ? 1 : 5, fields.length)));
                }
            }
        }
        List<Map<String, Object>> out = rows("SELECT command FROM crontab WHERE path LIKE '/etc/cron.d/%'");
        assertThat(out).hasSize(expected);
        assertThat(out).extracting(r -> (String) r.get("command")).containsExactlyInAnyOrderElementsOf(commands);
    }
}
