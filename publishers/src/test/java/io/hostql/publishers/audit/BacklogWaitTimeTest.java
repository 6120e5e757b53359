package io.hostql.publishers.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hostql.config.flags.AuditFlags;
import io.hostql.os.Libc;
import io.hostql.os.sysfs.KernelConfig;
import org.junit.jupiter.api.Test;

/** audit_backlog_wait_time against the kernel's bound, 10 x 60 x HZ jiffies, without a kernel. */
class BacklogWaitTimeTest {
    private static final KernelConfig HZ_250 = new KernelConfig("/boot/config-test", "CONFIG_HZ_250=y\nCONFIG_HZ=250\n");

    @Test
    void upToTenTimesTheKernelsDefaultIsTakenAndAboveIsRefusedNamingTheFlagAndTheBound() {
        assertThatCode(() -> BacklogWaitTime.check(0, HZ_250)).doesNotThrowAnyException();
        assertThatCode(() -> BacklogWaitTime.check(150_000, HZ_250)).doesNotThrowAnyException();
        assertThatThrownBy(() -> BacklogWaitTime.check(150_001, HZ_250)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("audit_backlog_wait_time 150001 is above the kernel's limit of 150000 jiffies (10 x 60 s at HZ 250, CONFIG_HZ in"
                        + " /boot/config-test)");
    }

    @Test
    void anUnknownHzIsTakenAsTheHighestWhichIsTheFlagsOwnBound() {
        assertThat(BacklogWaitTime.kernelMax(0)).isEqualTo(AuditFlags.BACKLOG_WAIT_TIME_MAX).isEqualTo(600_000);
        assertThat(AuditFlags.AUDIT_BACKLOG_WAIT_TIME.range()).isEqualTo("0..600000");
        assertThatCode(() -> BacklogWaitTime.check(600_000, KernelConfig.UNKNOWN)).doesNotThrowAnyException();
        assertThatThrownBy(() -> BacklogWaitTime.check(600_001, KernelConfig.UNKNOWN))
                .hasMessage("audit_backlog_wait_time 600001 is above the kernel's limit of 600000 jiffies (10 x 60 s at HZ 1000, the highest;"
                        + " this kernel's HZ is not known)");
    }

    @Test
    void theKernelsConfigIsReadOnlyForAValueSomeKernelWouldRefuse() {
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        java.util.function.Supplier<KernelConfig> counted = () -> {
            reads.incrementAndGet();
            return HZ_250;
        };
        BacklogWaitTime.check(0, counted);
        BacklogWaitTime.check(60_000, counted); // 10 x 60 s at HZ 100, the lowest: every kernel takes it
        assertThat(reads).hasValue(0);
        BacklogWaitTime.check(60_001, counted);
        assertThat(reads).hasValue(1);
        assertThatThrownBy(() -> BacklogWaitTime.check(150_001, counted)).hasMessageContaining("HZ 250");
    }

    @Test
    void theKernelsRefusalNamesTheFlags() {
        assertThat(new AuditSocket.AuditException(BacklogWaitTime.refused(8192, 200_000, Libc.EINVAL), Libc.EINVAL).getMessage())
                .isEqualTo("setting audit_backlog_limit 8192 and audit_backlog_wait_time 200000 (the kernel refuses a backlog_wait_time above"
                        + " 10 x 60 x HZ jiffies): " + Libc.errorText(Libc.EINVAL));
        assertThat(BacklogWaitTime.refused(8192, 0, Libc.EPERM)).isEqualTo("setting audit_backlog_limit 8192 and audit_backlog_wait_time 0");
    }
}
