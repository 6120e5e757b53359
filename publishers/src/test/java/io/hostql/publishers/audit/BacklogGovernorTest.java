package io.hostql.publishers.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.hostql.os.Libc;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** audit_backlog_limit_max's decisions, without a kernel (BacklogFloodTest has the kernel's own losses). */
class BacklogGovernorTest {
    private final List<Integer> set = new ArrayList<>();

    private static AuditStatus status(int backlogLimit, long lost) {
        return new AuditStatus(0, 1, 1, 1234, 0, backlogLimit, lost, backlogLimit, 0, 0, 0);
    }

    @Test
    void theLimitDoublesUpToTheBoundAndNoFurther() {
        assertThat(BacklogGovernor.next(8192, 32768)).isEqualTo(16384);
        assertThat(BacklogGovernor.next(16384, 32768)).isEqualTo(32768);
        assertThat(BacklogGovernor.next(20000, 32768)).isEqualTo(32768);
        assertThat(BacklogGovernor.next(32768, 32768)).isEqualTo(32768);
        assertThat(BacklogGovernor.next(40000, 32768)).as("a limit set above the bound is not lowered").isEqualTo(40000);
        assertThat(BacklogGovernor.next(0, 32768)).as("0 is unlimited").isZero();
        assertThat(BacklogGovernor.next(Integer.MAX_VALUE - 1, Integer.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void eachLossInOwnerModeRaisesTheKernelsLimitOnceUntilTheBound() {
        BacklogGovernor g = BacklogGovernor.start(40, AuditPublisher.Mode.OWNER, status(10, 0), set::add);
        int limit = 10;
        for (int i = 0; i < 5; i++) {
            g.lost(100, status(limit, 100L * (i + 1)));
            if (!set.isEmpty()) limit = set.get(set.size() - 1);
        }
        assertThat(set).containsExactly(20, 40);
    }

    @Test
    void aRateLimitLossDoesNotRaiseTheLimitAnOverflowAtTheLimitDoes() {
        BacklogGovernor g = BacklogGovernor.start(40, AuditPublisher.Mode.OWNER, status(10, 0), set::add);
        // rate_limit 50, backlog 3 of 10: the rate limit dropped them, however long the queue may be
        g.lost(100, new AuditStatus(0, 1, 1, 1234, 50, 10, 100, 3, 0, 0, 0));
        assertThat(set).isEmpty();
        // rate_limit 50, backlog 10 of 10: refused at the backlog
        g.lost(100, new AuditStatus(0, 1, 1, 1234, 50, 10, 200, 10, 0, 0, 0));
        assertThat(set).containsExactly(20);
    }

    @Test
    void coexistModeAndZeroChangeNothing() {
        BacklogGovernor.start(40, AuditPublisher.Mode.COEXIST, status(10, 0), set::add).lost(100, status(10, 100));
        BacklogGovernor.start(0, AuditPublisher.Mode.OWNER, status(10, 0), set::add).lost(100, status(10, 100));
        assertThat(set).isEmpty();
    }

    @Test
    void aLimitHostqlDoesNotOwnOrTheKernelRefusesIsLeftAsItIsAndTheReaderGoesOn() {
        BacklogGovernor.start(40, AuditPublisher.Mode.OWNER, status(10, 0), l -> set.add(l) && false).lost(100, status(10, 100));
        assertThat(set).as("asked once, and told it is not hostql's").containsExactly(20);
        BacklogGovernor refused = BacklogGovernor.start(40, AuditPublisher.Mode.OWNER, status(10, 0), l -> {
            throw new AuditSocket.AuditException("audit request 1001", Libc.EINVAL);
        });
        assertThatCode(() -> refused.lost(100, status(10, 100))).as("logged, not thrown on the reader thread").doesNotThrowAnyException();
    }
}
