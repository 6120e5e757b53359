package io.hostql.daemon;

import static io.hostql.daemon.DaemonProcess.query;
import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.os.yara.Yara;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * yara_events through a real hostqld: inotify on a file_paths category with a yara signature group, a
 * file written with the marker, the row with the matched rule (the yara CLI agreeing on the file);
 * a clean file and a category without groups make no row.
 */
class YaraEventsEndToEndTest {
    static final String RULES = """
            rule marker_rule : evil
            {
              strings:
                $a = "HOSTQL-YARA-MARKER"
              condition:
                $a
            }
            """;

    @TempDir
    static Path tmp;
    static Path scanned, unscanned, rules;
    static DaemonProcess daemon;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Yara.problem() == null, "libyara is not installed: " + Yara.problem());
        Assumptions.assumeTrue(new java.io.File("/usr/bin/yara").canExecute(), "the yara CLI (Debian package yara) is the witness");
        scanned = Files.createDirectories(tmp.resolve("scanned"));
        unscanned = Files.createDirectories(tmp.resolve("unscanned"));
        rules = Files.writeString(tmp.resolve("marker.yar"), RULES);
        Path config = Files.writeString(tmp.resolve("hostql.conf"), """
                {
                  "file_paths": {"drop": ["%s/%%%%"], "other": ["%s/%%%%"]},
                  "yara": {"signatures": {"markers": ["%s"]}, "file_paths": {"drop": ["markers"]}}
                }
                """.formatted(scanned, unscanned, rules));
        daemon = DaemonProcess.start(config, tmp.resolve("data"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) assertThat(daemon.stop()).isZero();
    }

    static List<Object[]> rows(Path path) {
        return query(daemon.data, "SELECT target_path, category, action, matches, count, strings, tags FROM yara_events WHERE target_path = '"
                + path.toString().replace("'", "''") + "' ORDER BY eid").rows();
    }

    @Test
    void aWrittenFileWithTheMarkerIsARowWithTheMatchedRule() throws Exception {
        Path evil = scanned.resolve("dropped.bin");
        Files.writeString(evil, "payload HOSTQL-YARA-MARKER payload");
        try {
            DaemonProcess.waitFor(() -> !rows(evil).isEmpty(), 30, "a yara_events row for " + evil);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nhostqld output:\n" + daemon.output(), e);
        }
        Object[] row = rows(evil).get(0);
        assertThat(row).containsExactly(evil.toString(), "drop", "CREATED", "marker_rule", 1L, "$a:8", "evil");
        String cli = new String(new ProcessBuilder("yara", "-f", "-s", "-g", rules.toString(), evil.toString()).start()
                .getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(cli).contains("marker_rule [evil] " + evil).contains("0x8:$a: HOSTQL-YARA-MARKER");

        // a clean file in the same category, and the marker in a category without groups: file_events rows, no yara_events rows
        Path clean = scanned.resolve("clean.txt");
        Files.writeString(clean, "nothing here");
        Path elsewhere = unscanned.resolve("marker.txt");
        Files.writeString(elsewhere, "HOSTQL-YARA-MARKER");
        // The subscriber reads the journal in order: once a later marker file has its row, the two before were handled.
        Path last = scanned.resolve("last.bin");
        Files.writeString(last, "HOSTQL-YARA-MARKER");
        DaemonProcess.waitFor(() -> !rows(last).isEmpty(), 30, "a yara_events row for " + last);
        DaemonProcess.waitFor(() -> (Long) query(daemon.data, "SELECT count(DISTINCT target_path) FROM file_events WHERE target_path IN ('"
                + clean + "', '" + elsewhere + "')").rows().get(0)[0] == 2L, 30, "file_events rows of the two files without yara rows");
        assertThat(rows(clean)).isEmpty();
        assertThat(rows(elsewhere)).isEmpty();
    }
}
