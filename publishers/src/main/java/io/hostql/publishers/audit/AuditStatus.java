package io.hostql.publishers.audit;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The kernel's {@code struct audit_status} (AUDIT_GET reply, AUDIT_SET request): eleven host-endian
 * u32 fields. {@code backlogWaitTime} is in jiffies, as the kernel keeps it.
 */
record AuditStatus(int mask, int enabled, int failure, int pid, int rateLimit, int backlogLimit, long lost, int backlog,
        int featureBitmap, int backlogWaitTime, int backlogWaitTimeActual) {
    static final int SIZE = 44;
    static final int ENABLED = 0x1, FAILURE = 0x2, PID = 0x4, RATE_LIMIT = 0x8, BACKLOG_LIMIT = 0x10, BACKLOG_WAIT_TIME = 0x20;

    static AuditStatus decode(ByteBuffer b, int off, int len) {
        int[] v = new int[11];
        for (int i = 0; i < v.length && off + 4 * i + 4 <= off + len; i++) v[i] = b.getInt(off + 4 * i);
        return new AuditStatus(v[0], v[1], v[2], v[3], v[4], v[5], v[6] & 0xffffffffL, v[7], v[8], v[9], v[10]);
    }

    /** An AUDIT_SET payload changing only the fields in mask. */
    static byte[] set(int mask, int enabled, int failure, int pid, int backlogLimit, int backlogWaitTime) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.nativeOrder());
        b.putInt(mask).putInt(enabled).putInt(failure).putInt(pid).putInt(0).putInt(backlogLimit).putInt(0).putInt(0).putInt(0)
                .putInt(backlogWaitTime).putInt(0);
        return b.array();
    }

    String describe() {
        return "enabled " + enabled + ", failure " + failure + ", pid " + pid + ", backlog_limit " + backlogLimit + ", lost " + lost
                + ", backlog " + backlog + ", backlog_wait_time " + backlogWaitTime;
    }
}
