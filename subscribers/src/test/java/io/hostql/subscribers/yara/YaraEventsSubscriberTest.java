package io.hostql.subscribers.yara;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.config.osquery.ConfigLoader;
import io.hostql.config.osquery.OsqueryConfig;
import io.hostql.evented.EventStore;
import io.hostql.evented.EventedTables;
import io.hostql.events.Clock;
import io.hostql.events.FileEvent;
import io.hostql.events.Journal;
import io.hostql.os.yara.Yara;
import io.hostql.sql.QueryResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** yara_events from journal records of real files: which actions are scanned, groups merged, a broken group. */
class YaraEventsSubscriberTest {
    @TempDir
    Path dir;

    @BeforeEach
    void libyara() {
        Assumptions.assumeTrue(Yara.problem() == null, "libyara is not installed: " + Yara.problem());
    }

    static FileEvent ev(int mask, Path p, String category) {
        return new FileEvent(Clock.nowNanos(), mask, 0, p.toString().getBytes(StandardCharsets.UTF_8), category, 0);
    }

    @Test
    void matchingFilesOfCategoriesWithGroupsBecomeRows() throws Exception {
        Path one = Files.writeString(dir.resolve("one.yar"), "rule marker : t1 { strings: $a = \"HOSTQL-YARA-MARKER\" condition: $a }");
        Path two = Files.writeString(dir.resolve("two.yar"), "rule any_file : t2 { condition: filesize > 0 }");
        Path broken = Files.writeString(dir.resolve("broken.yar"), "rule broken { condition: $x }");
        Path conf = Files.writeString(dir.resolve("c.conf"), """
                {"file_paths": {"drop": ["%s/%%%%"], "other": ["/nowhere/%%%%"]},
                 "yara": {"signatures": {"g1": ["%s"], "g2": ["%s"], "bad": ["%s"]}, "file_paths": {"drop": ["g1", "bad", "g2"]}}}
                """.formatted(dir, one, two, broken));
        OsqueryConfig config = ConfigLoader.load(conf);
        Path evil = Files.writeString(dir.resolve("evil.bin"), "xx HOSTQL-YARA-MARKER");
        Path moved = Files.writeString(dir.resolve("moved.bin"), "HOSTQL-YARA-MARKER");
        try (Journal j = Journal.open(dir.resolve("journal"));
                EventStore s = EventStore.open(dir.resolve("events.db"), EventedTables.all());
                YaraEventsSubscriber sub = new YaraEventsSubscriber(j, s, config, 10)) {
            j.append(ev(FileEvent.IN_CREATE, evil, "drop"));
            j.append(ev(FileEvent.IN_CLOSE_WRITE, evil, "drop")); // UPDATED: a row of its own, as osquery
            j.append(ev(FileEvent.IN_ATTRIB, evil, "drop")); // not scanned
            j.append(ev(FileEvent.IN_DELETE, evil, "drop")); // not scanned
            j.append(ev(FileEvent.IN_MOVED_TO, moved, "drop"));
            j.append(ev(FileEvent.IN_CREATE, evil, "other")); // a category without groups
            j.append(ev(FileEvent.IN_CREATE, dir.resolve("gone.bin"), "drop")); // gone by the time it is read: no row
            j.append(ev(FileEvent.IN_CREATE | FileEvent.IN_ISDIR, dir, "drop")); // a directory is not scanned
            sub.start();
            long end = System.nanoTime() + 10_000_000_000L;
            while (count(s) < 3 && System.nanoTime() < end) Thread.sleep(20);
            Thread.sleep(200);
            QueryResult r = s.query("SELECT target_path, category, action, matches, count, strings, tags FROM yara_events ORDER BY eid");
            assertThat(r.rows()).hasSize(3);
            // the broken group is skipped (and logged); g1's and g2's matches are one row
            assertThat(r.rows().get(0)).containsExactly(evil.toString(), "drop", "CREATED", "marker,any_file", 2L, "$a:3", "t1,t2");
            assertThat(r.rows().get(1)).containsExactly(evil.toString(), "drop", "UPDATED", "marker,any_file", 2L, "$a:3", "t1,t2");
            assertThat(r.rows().get(2)).containsExactly(moved.toString(), "drop", "MOVED_TO", "marker,any_file", 2L, "$a:0", "t1,t2");
        }
    }

    static long count(EventStore s) {
        return (Long) s.query("SELECT count(*) FROM yara_events").rows().get(0)[0];
    }
}
