package io.hostql.publishers.audit;

import static io.hostql.publishers.audit.AuditWitness.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hostql.events.Event;
import io.hostql.events.EventSink;
import io.hostql.events.LossEvent;
import io.hostql.events.SocketEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel really drops records: a connect() flood against a tiny backlog limit in owner mode, backlog_wait_time 0.
 * audit_backlog_limit_max doubles the kernel's limit up to its bound and no further, the kernel's losses become estimate rows
 * counted in events (about one lost record per connect: the kernel drops an event whole when it refuses its first record), and the limit found at start is back once the publisher is closed (auditctl is the witness).
 */
class BacklogFloodTest {
    private static final int START_LIMIT = 2, BOUND = 16;
    private static final Pattern ESTIMATE = Pattern.compile("about (\\d+) socket events lost \\(estimate: (\\d+) records refused at the backlog;"
            + " .*; (?:([0-9.]+) records per event read|no records per event seen yet)\\); the kernel's audit 'lost' counter.*");

    @TempDir
    Path tmp;

    /** Keeps the loss records and only counts the socket events (a flood is millions). */
    static final class CountingSink implements EventSink {
        final List<LossEvent> losses = new ArrayList<>();
        final AtomicLong sockets = new AtomicLong();
        volatile int floodPid = -1;
        final AtomicLong floodSockets = new AtomicLong();
        /** The flood process's socket events themselves, when kept: for a test that tells its connects from anything else it did. */
        final List<SocketEvent> flood = new ArrayList<>();
        volatile boolean keepFlood;

        @Override
        public synchronized long append(Event e) {
            if (e instanceof LossEvent l) losses.add(l);
            if (e instanceof SocketEvent s) {
                sockets.incrementAndGet();
                if (s.pid() == floodPid) {
                    floodSockets.incrementAndGet();
                    if (keepFlood) flood.add(s);
                }
            }
            return 0;
        }

        synchronized List<SocketEvent> flood() {
            return List.copyOf(flood);
        }

        synchronized List<LossEvent> losses() {
            return List.copyOf(losses);
        }
    }

    @Test
    void aFloodRaisesTheBacklogLimitToTheBoundCountsLostEventsAndTheLimitIsPutBack() throws Exception {
        AuditTestSupport.assumeRootWithAudit();
        AuditWitness.assumeRootWithAuditctl();
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs python3 for the connect() flood (scripts/install-deps installs it)");
        String before = state();
        Path script = Files.writeString(tmp.resolve("flood.py"), """
                import os, socket, sys, time
                print(os.getpid(), flush=True)
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                end = time.time() + float(sys.argv[1]); n = 0
                while time.time() < end:
                    for i in range(500): s.connect(("127.0.0.1", 9))
                    n += 500
                print(n, flush=True)
                """);
        CountingSink sink = new CountingSink();
        AuditPublisher publisher = new AuditPublisher(new AuditPublisher.Config(AuditPublisher.Mode.OWNER, true, false, true, false, false,
                START_LIMIT, 0, tmp.resolve("state"), SecurityRecords.NONE, BOUND), AuditDecoder.decoding(sink));
        Process flood = null;
        try {
            publisher.start();
            assertThat(AuditWitness.run("auditctl", "-s")).contains("backlog_limit " + START_LIMIT + "\n");
            // The limits the publisher saw, polled as it polls the kernel (every second): they rise, by doubling, to the bound
            // (on a busy machine other processes' audited calls may start the rise before the flood does).
            TreeSet<Integer> limits = new TreeSet<>(List.of(publisher.stats().backlogLimit()));
            flood = new ProcessBuilder("python3", script.toString(), "8").redirectErrorStream(true).start();
            var out = new java.io.BufferedReader(new java.io.InputStreamReader(flood.getInputStream(), StandardCharsets.UTF_8));
            sink.floodPid = Integer.parseInt(out.readLine().strip());

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
            while (System.nanoTime() < deadline && flood.isAlive()) {
                limits.add(publisher.stats().backlogLimit());
                Thread.sleep(100);
            }
            String status = AuditWitness.run("auditctl", "-s");
            long calls = Long.parseLong(out.readLine().strip());
            assertThat(flood.waitFor(10, TimeUnit.SECONDS)).isTrue();
            // The reader catches up with what the kernel queued (records stop growing), then one more status poll.
            long read = -1;
            for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); read != publisher.stats().records() && System.nanoTime() < end; ) {
                read = publisher.stats().records();
                Thread.sleep(1000);
            }
            Thread.sleep(1500);
            AuditPublisher.Stats stats = publisher.stats();

            assertThat(stats.kernelLost()).as("the kernel dropped records at backlog_limit " + START_LIMIT).isPositive();
            assertThat(limits).as("backlog limits seen during the flood").containsSubsequence(START_LIMIT, BOUND).allMatch(l -> l <= BOUND)
                    .isSubsetOf(2, 4, 8, 16);
            assertThat(stats.backlogLimit()).as("at the bound after the flood, and no further").isEqualTo(BOUND);
            assertThat(status).contains("backlog_limit " + BOUND + "\n");

            // The kernel's losses, counted in events: a plausible estimate (a connect is four records) marked as one.
            List<LossEvent> kernel = sink.losses().stream().filter(l -> l.reason().contains("'lost' counter")).toList();
            assertThat(kernel).isNotEmpty().allMatch(LossEvent::estimate);
            long events = 0, records = 0;
            for (LossEvent l : kernel) {
                Matcher m = ESTIMATE.matcher(l.reason());
                assertThat(m.matches()).as(l.reason()).isTrue();
                long n = Long.parseLong(m.group(1)), lost = Long.parseLong(m.group(2));
                // A connect is 4 records; events the kernel cut short arrive with fewer, which lowers the ratio read under loss.
                if (m.group(3) != null) assertThat(Double.parseDouble(m.group(3))).as("records per connect event read").isBetween(2.0, 4.5);
                assertThat(l.count()).isEqualTo(n).isEqualTo(lost);
                events += n;
                records += lost;
            }
            System.out.printf("flood: %d connects, %d socket events captured, about %d lost (%d records, kernel lost), limits seen %s%n", calls,
                    sink.floodSockets.get(), events, records, limits);
            assertThat(records).as("every record the kernel counted is in a row").isEqualTo(stats.kernelLost());
            assertThat(events).as("events estimated lost, of " + calls + " connects").isPositive().isLessThanOrEqualTo(calls);
            assertThat(sink.floodSockets.get() + events).as("captured (" + sink.floodSockets.get() + ") + estimated lost, against the connects made; "
                    + stats)
                    .isBetween(calls * 95 / 100, calls * 125 / 100);
        } finally {
            if (flood != null) flood.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            publisher.close();
            String after = state();
            if (!after.equals(before)) AuditWitness.restore(before);
            assertThat(after).as("kernel audit settings after close (the raised limit too)").isEqualTo(before);
            assertThat(tmp.resolve("state").resolve(AuditControl.STATE_FILE)).doesNotExist();
        }
    }
}
