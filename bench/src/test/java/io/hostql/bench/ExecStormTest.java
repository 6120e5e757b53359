package io.hostql.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
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

    @Test
    void repeatedWindowsReportEachColumnsOwnMedian() {
        ExecStorm.Window a = new ExecStorm.Window(100, 3000, 30, 2990, 0, 5, 0.9, 90);
        ExecStorm.Window b = new ExecStorm.Window(100, 2980, 31, 2980, 4, 0, 0.3, 95);
        ExecStorm.Window c = new ExecStorm.Window(100, 3010, 29, 3000, 2, 1, 0.5, 80);
        assertThat(ExecStorm.Window.median(List.of(a, b, c))).isEqualTo(new ExecStorm.Window(100, 3000, 30, 2990, 2, 1, 0.5, 90));
        assertThat(ExecStorm.Window.median(List.of(b))).isSameAs(b);
    }

    @Test
    void ratesAreParsedWithMaxAsUnpacedAndBadOnesNamed() {
        System.setProperty("exec-test.rates", "100, 333,max");
        try {
            assertThat(Measure.rates("exec-test.rates", "1")).containsExactly(100.0, 333.0, 0.0);
            System.setProperty("exec-test.rates", "100,-3");
            assertThatThrownBy(() -> Measure.rates("exec-test.rates", "1")).hasMessageContaining("exec-test.rates").hasMessageContaining("'-3'");
        } finally {
            System.clearProperty("exec-test.rates");
        }
        assertThat(Measure.rates("exec-test.rates", "1000,max")).containsExactly(1000.0, 0.0);
    }
}
