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

    /** A kernel status: the rate limit, the backlog limit and the backlog when the lost counter was read. */
    private static AuditStatus status(int rateLimit, int backlogLimit, int backlog) {
        return new AuditStatus(0, 1, 1, 1234, rateLimit, backlogLimit, 0, backlog, 0, 0, 0);
    }

    @Test
    void aDropIsTheBacklogsWithNoRateLimitOrAtTheLimitAndTheRateLimitsOtherwise() {
        assertThat(LossEstimator.Drop.of(status(0, 8192, 12))).as("nothing else drops records with no rate limit").isEqualTo(LossEstimator.Drop.BACKLOG);
        assertThat(LossEstimator.Drop.of(status(50, 8192, 8192))).isEqualTo(LossEstimator.Drop.BACKLOG);
        assertThat(LossEstimator.Drop.of(status(50, 8192, 40))).isEqualTo(LossEstimator.Drop.RATE_LIMIT);
        assertThat(LossEstimator.Drop.of(status(50, 0, 40))).as("an unlimited backlog never overflows").isEqualTo(LossEstimator.Drop.RATE_LIMIT);
    }

    @Test
    void atTheBacklogARecordLostIsAboutAnEventLostAndTheRowIsMarkedAnEstimate() {
        LossEstimator e = new LossEstimator(LossEstimator.events(true, true, false));
        LossEvent l = e.kernelLost(123, "audit", 12_000, 40_000, 10_000, status(0, 8192, 100), "the kernel's audit 'lost' counter rose from 5 to 12005");
        assertThat(l.count()).isEqualTo(12_000);
        assertThat(l.estimate()).isTrue();
        assertThat(l.source()).isEqualTo("audit");
        assertThat(l.captureNanos()).isEqualTo(123);
        assertThat(l.reason()).isEqualTo("about 12000 process or socket events lost (estimate: 12000 records refused at the backlog; the kernel"
                + " counts one for an event it drops whole, at its first record, and one per record missing from an incomplete one;"
                + " 4.0 records per event read); the kernel's audit 'lost' counter rose from 5 to 12005");
    }

    @Test
    void underARateLimitTheRowCountsNoEventsOfItsOwnTheSerialGapsDo() {
        LossEvent l = new LossEstimator("process events").kernelLost(1, "audit", 12_000, 60_000, 10_000, status(50, 8192, 40), "detail");
        assertThat(l.count()).as("below 0: the source (this row) cannot say; the gap rows count the events").isNegative();
        assertThat(l.estimate()).isFalse();
        assertThat(l.reason()).isEqualTo("12000 audit records dropped by the kernel's rate_limit 50 (6.0 records per event read): the process events"
                + " it dropped whole never arrived and are counted in the serial-gap rows ('never arrived'); the others arrived without those"
                + " records; detail");
        LossEvent first = new LossEstimator("socket events").kernelLost(1, "audit", 40, 0, 0, status(50, 8192, 40), "detail");
        assertThat(first.reason()).startsWith("40 audit records dropped by the kernel's rate_limit 50 (no records per event seen yet):");
    }

    /**
     * The rate limit drops numbered records: two 4-record events dropped whole are serials 5 and 6 missing, and 8 records on the
     * lost counter. They are 2 events lost, counted once (by the gaps), not 2 + 8 / 4.
     */
    @Test
    void aWholeEventDroppedByTheRateLimitIsCountedOnce() {
        SerialGaps g = new SerialGaps(1000);
        long records = 0;
        for (long s = 1; s <= 10; s++) {
            if (s == 5 || s == 6) continue;
            for (int r = 0; r < 4; r++) g.seen(s, 0);
            records += 4;
        }
        long[] range = new long[2];
        long counted = g.expire(2000, range);
        LossEvent kernel = new LossEstimator("socket events").kernelLost(1, "audit", 8, records, g.arrived(), status(100, 8192, 0), "detail");
        counted += Math.max(0, kernel.count()); // as hostql_event_losses' sum: a row that cannot say counts nothing
        assertThat(counted).isEqualTo(2);
        assertThat(range).containsExactly(5, 6);
    }

    @Test
    void theKindsEnabledNameTheEvents() {
        assertThat(LossEstimator.events(true, false, false)).isEqualTo("process events");
        assertThat(LossEstimator.events(true, true, true)).isEqualTo("process, socket or user events");
        assertThat(LossEstimator.events(false, false, false)).isEqualTo("audit events");
    }
}
