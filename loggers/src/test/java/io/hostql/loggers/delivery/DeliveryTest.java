package io.hostql.loggers.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.events.Journal;
import io.hostql.events.JournalEntry;
import io.hostql.events.LogLineEvent;
import io.hostql.events.LossEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The delivery layer's rules with a sink written in the test (the real receivers are in the daemon's
 * syslog tests): order and resume at the cursor, retry while down, the bound and its loss record,
 * status lines only where wanted, refused lines counted.
 */
class DeliveryTest {
    @TempDir
    Path tmp;

    /** A receiver in memory that can be down (every batch fails), refuse long lines, and take status or not. */
    static final class Receiver implements Sink {
        final List<String> got = Collections.synchronizedList(new ArrayList<>());
        final String name;
        final boolean status;
        volatile boolean down;
        volatile int refuseAbove = Integer.MAX_VALUE;

        Receiver(String name, boolean status) {
            this.name = name;
            this.status = status;
        }

        @Override
        public String plugin() {
            return name;
        }

        @Override
        public String target() {
            return "memory://" + name;
        }

        @Override
        public boolean takesStatus() {
            return status;
        }

        @Override
        public void deliver(List<LogLineEvent> lines, Refused refused) throws IOException {
            if (down) throw new IOException("receiver " + name + " is down");
            for (LogLineEvent l : lines) {
                if (l.line().length > refuseAbove) refused.line(l, "longer than " + refuseAbove + " bytes");
                else got.add(l.kind() + " " + new String(l.line(), StandardCharsets.UTF_8));
            }
        }

        @Override
        public void close() {}
    }

    static void waitFor(BooleanSupplier cond, String what) throws InterruptedException {
        long end = System.nanoTime() + 30_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    static List<String> lines(String prefix, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) out.add("{\"" + prefix + "\":" + i + "}");
        return out;
    }

    static List<LossEvent> losses(Journal j) {
        List<LossEvent> out = new ArrayList<>();
        try (Journal.Reader r = j.reader()) {
            for (JournalEntry e = r.next(); e != null; e = r.next()) if (e.event() instanceof LossEvent l) out.add(l);
        }
        return out;
    }

    @Test
    void linesArriveInOrderAndARestartResumesAtTheCursor() throws Exception {
        try (Journal events = Journal.open(tmp.resolve("journal"))) {
            Receiver a = new Receiver("a", false);
            try (Delivery d = Delivery.start(null, List.of(a), tmp.resolve("outbox"), events, SinkRunner.Limits.DEFAULT)) {
                d.logResults(lines("r", 0, 2500));
                d.logSnapshots(List.of("{\"s\":1}"));
                waitFor(() -> d.status().get(0).delivered() == 2501, "every line acknowledged");
                assertThat(d.status()).singleElement().satisfies(s -> {
                    assertThat(s.state()).isEqualTo("up");
                    assertThat(s.delivered()).isEqualTo(2501);
                    assertThat(s.pending()).isZero();
                });
            }
            assertThat(a.got.subList(0, 3)).containsExactly("RESULT {\"r\":0}", "RESULT {\"r\":1}", "RESULT {\"r\":2}");
            assertThat(a.got.get(2500)).isEqualTo("SNAPSHOT {\"s\":1}");
            Receiver again = new Receiver("a", false);
            try (Delivery d = Delivery.start(null, List.of(again), tmp.resolve("outbox"), events, SinkRunner.Limits.DEFAULT)) {
                d.logResults(lines("r", 2500, 2510));
                waitFor(() -> again.got.size() == 10, "the new lines");
                Thread.sleep(200);
                assertThat(again.got).hasSize(10).first().isEqualTo("RESULT {\"r\":2500}");
                assertThat(d.status().get(0).delivered()).isEqualTo(2511); // totals survive the restart
            }
        }
    }

    /** A result line over one outbox record (a big snapshot) is counted, and the lines around it go on, without a gap. */
    @Test
    void aLineTooBigForTheOutboxIsCountedAndTheOthersGoOn() throws Exception {
        try (Journal events = Journal.open(tmp.resolve("journal"))) {
            Receiver a = new Receiver("a", false);
            try (Delivery d = Delivery.start(null, List.of(a), tmp.resolve("outbox"), events, SinkRunner.Limits.DEFAULT)) {
                String big = "{\"big\":\"" + "x".repeat(Journal.MAX_EVENT_BYTES) + "\"}";
                d.logSnapshots(List.of("{\"s\":1}", big, "{\"s\":2}"));
                waitFor(() -> a.got.size() == 2, "the lines around the big one");
                assertThat(a.got).containsExactly("SNAPSHOT {\"s\":1}", "SNAPSHOT {\"s\":2}");
                waitFor(() -> d.status().get(0).pending() == 0, "nothing pending");
                assertThat(d.status().get(0).delivered()).isEqualTo(2);
            }
            assertThat(losses(events)).singleElement().satisfies(l -> {
                assertThat(l.source()).isEqualTo("logger outbox");
                assertThat(l.count()).isEqualTo(1);
                assertThat(l.reason()).contains("snapshot line of " + (Journal.MAX_EVENT_BYTES + 10) + " bytes is too big for one outbox record");
            });
            assertThat(events.storageStatus().degraded()).isFalse();
        }
    }

    @Test
    void aDownSinkKeepsItsLinesBlocksNoOtherAndGetsThemWhenBack() throws Exception {
        try (Journal events = Journal.open(tmp.resolve("journal"))) {
            Receiver down = new Receiver("down", false), up = new Receiver("up", false);
            down.down = true;
            try (Delivery d = Delivery.start(null, List.of(down, up), tmp.resolve("outbox"), events, SinkRunner.Limits.DEFAULT)) {
                d.logResults(lines("r", 0, 50));
                waitFor(() -> up.got.size() == 50, "the healthy sink's lines");
                waitFor(() -> d.status().get(0).state().equals("down"), "the down sink's state");
                assertThat(d.status().get(0).pending()).isEqualTo(50);
                assertThat(d.status().get(0).lastError()).isEqualTo("receiver down is down");
                down.down = false;
                waitFor(() -> down.got.size() >= 50, "the lines after the sink came back");
                assertThat(down.got).containsExactlyElementsOf(up.got);
                waitFor(() -> d.status().get(0).state().equals("up"), "the sink's state up");
            }
        }
    }

    @Test
    void pastTheBoundTheOldestLinesAreDroppedForThatSinkAndCounted() throws Exception {
        try (Journal events = Journal.open(tmp.resolve("journal"))) {
            Receiver slow = new Receiver("slow", false);
            slow.down = true;
            long dropped;
            SinkRunner.Limits limits = new SinkRunner.Limits(100, 0, 1000, 1 << 20, 500);
            try (Delivery d = Delivery.start(null, List.of(slow), tmp.resolve("outbox"), events, limits)) {
                d.logResults(lines("r", 0, 300));
                // The bound is applied as lines arrive, so a first drop may come before the 300th line: wait for all of them.
                waitFor(() -> d.status().get(0).dropped() >= 200, "at least 200 of 300 lines dropped past a bound of 100");
                dropped = d.status().get(0).dropped();
                slow.down = false;
                waitFor(() -> d.status().get(0).pending() == 0, "the rest delivered");
                assertThat(slow.got).hasSize((int) (300 - dropped)).last().isEqualTo("RESULT {\"r\":299}");
                assertThat(d.status().get(0).delivered() + d.status().get(0).dropped()).isEqualTo(300);
            }
            // One loss record per drop: lines still arriving can make the bound drop in several steps.
            List<LossEvent> drops = losses(events).stream().filter(l -> l.source().equals("logger:slow")).toList();
            assertThat(drops).isNotEmpty().allSatisfy(l ->
                    assertThat(l.reason()).contains("oldest lines dropped").contains("buffered_log_max (100 lines)"));
            assertThat(drops.stream().mapToLong(LossEvent::count).sum()).as("the lines dropped, each counted once").isEqualTo(dropped);
        }
    }

    @Test
    void statusLinesGoOnlyToSinksThatTakeThemAndARefusedLineIsCounted() throws Exception {
        try (Journal events = Journal.open(tmp.resolve("journal"))) {
            Receiver withStatus = new Receiver("withstatus", true), without = new Receiver("without", false);
            withStatus.refuseAbove = 1000;
            try (Delivery d = Delivery.start(null, List.of(withStatus, without), tmp.resolve("outbox"), events, SinkRunner.Limits.DEFAULT)) {
                assertThat(d.takesStatus()).isTrue();
                d.logStatus("{\"severity\":1,\"message\":\"m\"}");
                d.logResults(List.of("{\"r\":1}", "{\"big\":\"" + "x".repeat(2000) + "\"}", "{\"r\":2}"));
                waitFor(() -> withStatus.got.size() == 3 && without.got.size() == 3, "the lines");
                assertThat(withStatus.got).containsExactly("STATUS {\"severity\":1,\"message\":\"m\"}", "RESULT {\"r\":1}", "RESULT {\"r\":2}");
                assertThat(without.got.get(0)).isEqualTo("RESULT {\"r\":1}");
                waitFor(() -> d.status().get(0).dropped() == 1, "the refused line counted");
            }
            assertThat(losses(events)).anySatisfy(l -> {
                assertThat(l.source()).isEqualTo("logger:withstatus");
                assertThat(l.count()).isEqualTo(1);
                assertThat(l.reason()).contains("refused").contains("longer than 1000 bytes");
            });
        }
    }

    @Test
    void withoutSinksThereIsNoOutbox() throws Exception {
        try (Journal events = Journal.open(tmp.resolve("journal"));
                Delivery d = Delivery.start(null, List.of(), tmp.resolve("outbox"), events, SinkRunner.Limits.DEFAULT)) {
            d.logResults(List.of("{}"));
            assertThat(d.takesStatus()).isFalse();
            assertThat(tmp.resolve("outbox")).doesNotExist();
        }
    }
}
