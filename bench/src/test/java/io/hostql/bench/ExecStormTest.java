package io.hostql.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The exec storm's accounting, without a storm. */
class ExecStormTest {
    private static ExecStorm.Window window(long started, long captured, long kernelLost, long reportedLoss) {
        return new ExecStorm.Window(100, started, 10, captured, kernelLost, reportedLoss, 1, 100);
    }

    @Test
    void hostqldsReportedLossesAlreadyCountTheKernelsLostRecordsAndAreTakenOffOnce() {
        // 1,000 execs, 900 rows; the kernel lost 100 records, which hostqld reported as about 100 events
        assertThat(ExecStorm.unaccounted(window(1_000, 900, 100, 100))).isZero();
        // 30 of them reported: 70 no one accounts for (it was 0 when the kernel's 100 were taken off as well)
        assertThat(ExecStorm.unaccounted(window(1_000, 900, 100, 30))).isEqualTo(70);
        // nothing lost, nothing missing
        assertThat(ExecStorm.unaccounted(window(1_000, 1_000, 0, 0))).isZero();
    }

    @Test
    void forAuditdWhichReportsNothingTheKernelsLostCountIsTakenOff() {
        assertThat(ExecStorm.unaccounted(window(1_000, 900, 100, -1))).isZero();
        assertThat(ExecStorm.unaccounted(window(1_000, 850, 100, -1))).isEqualTo(50);
    }
}
