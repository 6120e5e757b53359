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
    void theRowSaysAboutHowManyEventsAndIsMarkedAnEstimate() {
        LossEstimator e = new LossEstimator(LossEstimator.events(true, true, false));
        LossEvent l = e.kernelLost(123, "audit", 12_000, 40_000, 10_000, "the kernel's audit 'lost' counter rose from 5 to 12005");
        assertThat(l.count()).isEqualTo(3_000);
        assertThat(l.estimate()).isTrue();
        assertThat(l.source()).isEqualTo("audit");
        assertThat(l.captureNanos()).isEqualTo(123);
        assertThat(l.reason()).isEqualTo("about 3000 process or socket events lost (estimate: 12000 records at 4.0 records per event);"
                + " the kernel's audit 'lost' counter rose from 5 to 12005");
    }

    @Test
    void beforeAnyRecordTheRowIsAnUpperBound() {
        LossEvent l = new LossEstimator(LossEstimator.events(false, true, false)).kernelLost(1, "audit", 40, 0, 0, "detail");
        assertThat(l.count()).isEqualTo(40);
        assertThat(l.estimate()).isTrue();
        assertThat(l.reason()).startsWith("up to 40 socket events lost (estimate: 40 records, and no records per event seen yet)");
    }

    @Test
    void theKindsEnabledNameTheEvents() {
        assertThat(LossEstimator.events(true, false, false)).isEqualTo("process events");
        assertThat(LossEstimator.events(true, true, true)).isEqualTo("process, socket or user events");
        assertThat(LossEstimator.events(false, false, false)).isEqualTo("audit events");
    }
}
