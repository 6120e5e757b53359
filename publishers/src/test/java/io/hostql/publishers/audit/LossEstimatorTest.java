package io.hostql.publishers.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.hostql.events.LossEvent;
import org.junit.jupiter.api.Test;

/** Lost events from lost records, without a kernel: the counts the reader keeps, and the row a user reads. */
class LossEstimatorTest {
    @Test
    void distinctSerialsAreCountedOnceWhateverTheOrderOfTheirRecords() {
        SerialGaps g = new SerialGaps(1000);
        // Two connects from two CPUs, their four records interleaved; then 7 late, after 8 (a gap, filled).
        for (long s : new long[] {5, 6, 5, 6, 5, 6, 5, 6, 8, 8, 7, 7}) g.seen(s, 0);
        assertThat(g.arrived()).isEqualTo(4);
        long[] range = new long[2];
        assertThat(g.expire(2000, range)).isZero();
    }

    @Test
    void recordsPerEventIsRecordsOverSerials() {
        assertThat(LossEstimator.recordsPerEvent(400, 100)).isEqualTo(4.0);
        assertThat(LossEstimator.recordsPerEvent(0, 0)).isZero();
        assertThat(LossEstimator.recordsPerEvent(5, 0)).isZero();
    }

    @Test
    void eventsAreRoundedAndNeverZeroNorMoreThanTheRecords() {
        assertThat(LossEstimator.events(1_000, 4.0)).isEqualTo(250);
        assertThat(LossEstimator.events(1_002, 4.0)).isEqualTo(251); // 250.5 rounds up
        assertThat(LossEstimator.events(3, 6.5)).isEqualTo(1); // part of an event is still an event lost
        assertThat(LossEstimator.events(7, 0)).isEqualTo(7); // no ratio yet: at most one event per record
        assertThat(LossEstimator.events(0, 4.0)).isZero();
    }

    @Test
    void atTheBacklogARecordLostIsAboutAnEventLostAndTheRowIsMarkedAnEstimate() {
        LossEstimator e = new LossEstimator(LossEstimator.events(true, true, false));
        LossEvent l = e.kernelLost(123, "audit", 12_000, 40_000, 10_000, 0, "the kernel's audit 'lost' counter rose from 5 to 12005");
        assertThat(l.count()).isEqualTo(12_000);
        assertThat(l.estimate()).isTrue();
        assertThat(l.source()).isEqualTo("audit");
        assertThat(l.captureNanos()).isEqualTo(123);
        assertThat(l.reason()).isEqualTo("about 12000 process or socket events lost (estimate: 12000 records refused at the backlog; the kernel"
                + " counts one for an event it drops whole, at its first record, and one per record missing from an incomplete one;"
                + " 4.0 records per event read); the kernel's audit 'lost' counter rose from 5 to 12005");
    }

    @Test
    void underARateLimitRecordsAreDividedByTheRecordsPerEventRead() {
        LossEvent l = new LossEstimator("process events").kernelLost(1, "audit", 12_000, 60_000, 10_000, 50, "detail");
        assertThat(l.count()).isEqualTo(2_000);
        assertThat(l.estimate()).isTrue();
        assertThat(l.reason()).isEqualTo("about 2000 process events lost (estimate: 12000 records at 6.0 records per event read; rate_limit 50"
                + " drops records one by one); detail");
        LossEvent first = new LossEstimator("socket events").kernelLost(1, "audit", 40, 0, 0, 50, "detail");
        assertThat(first.count()).as("no ratio yet: at most one event per record").isEqualTo(40);
        assertThat(first.reason()).startsWith("up to 40 socket events lost (estimate: 40 records at no records per event seen yet;");
    }

    @Test
    void theKindsEnabledNameTheEvents() {
        assertThat(LossEstimator.events(true, false, false)).isEqualTo("process events");
        assertThat(LossEstimator.events(true, true, true)).isEqualTo("process, socket or user events");
        assertThat(LossEstimator.events(false, false, false)).isEqualTo("audit events");
    }
}
