package io.hostql.publishers.audit;

import io.hostql.config.flags.AuditFlags;
import io.hostql.os.Libc;
import io.hostql.os.sysfs.KernelConfig;

/**
 * {@code audit_backlog_wait_time} against the running kernel's own bound: AUDIT_SET refuses a backlog_wait_time above ten
 * times its default of 60 s, 10 x 60 x HZ jiffies (kernel/audit.c), and HZ is a build constant ({@link KernelConfig}).
 * Checked before audit is set up, so that a value the kernel would refuse is an error naming the flag and the bound rather
 * than the kernel's EINVAL.
 */
public final class BacklogWaitTime {
    private BacklogWaitTime() {}

    /** The most a kernel built with {@code hz} accepts; for an unknown HZ (0), the most any kernel does (HZ 1000). */
    static long kernelMax(int hz) {
        return hz <= 0 ? AuditFlags.BACKLOG_WAIT_TIME_MAX : 10L * 60 * hz;
    }

    /** The lowest HZ a Linux kernel is built with (CONFIG_HZ_100): a value within its bound is within every kernel's. */
    private static final int LOWEST_HZ = 100;

    /**
     * Checks against the running kernel, whose config (a file of some 300 kB) is read only when the value is above what
     * every kernel accepts (60,000 jiffies): not at all at the default of 0, at every start and SIGHUP.
     *
     * @throws IllegalArgumentException as {@link #check(int, KernelConfig)}
     */
    public static void check(int jiffies, java.util.function.Supplier<KernelConfig> kernel) {
        if (jiffies <= kernelMax(LOWEST_HZ)) return;
        check(jiffies, kernel.get());
    }

    /** @throws IllegalArgumentException naming the flag, the bound and the HZ it comes from, when {@code jiffies} is above it */
    public static void check(int jiffies, KernelConfig kernel) {
        int hz = kernel.hz();
        long max = kernelMax(hz);
        if (jiffies <= max) return;
        throw new IllegalArgumentException("audit_backlog_wait_time " + jiffies + " is above the kernel's limit of " + max + " jiffies ("
                + (hz > 0 ? "10 x 60 s at HZ " + hz + ", CONFIG_HZ in " + kernel.source() : "10 x 60 s at HZ 1000, the highest; this kernel's HZ is not known")
                + ")");
    }

    /** What the kernel's refusal (errno) of hostql's backlog settings was about, naming the flags (EINVAL: a value above its bound). */
    static String refused(int backlogLimit, int backlogWaitTime, int errno) {
        return "setting audit_backlog_limit " + backlogLimit + " and audit_backlog_wait_time " + backlogWaitTime
                + (errno == Libc.EINVAL ? " (the kernel refuses a backlog_wait_time above 10 x 60 x HZ jiffies)" : "");
    }
}
