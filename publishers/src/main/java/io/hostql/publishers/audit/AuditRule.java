package io.hostql.publishers.audit;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * A syscall rule as the kernel takes it: {@code struct audit_rule_data} (flags, action, field_count,
 * mask[64], fields[64], values[64], fieldflags[64], buflen, buf). hostql's rules are exit-filter
 * "always" rules on one architecture, excluding hostqld's own process, with key {@code hostql}.
 */
record AuditRule(byte[] data) {
    static final int HEADER = 4 * (3 + 64 + 64 * 3 + 1);
    static final int AUDIT_FILTER_EXIT = 0x04, AUDIT_ALWAYS = 2;
    static final int FIELD_PID = 0, FIELD_ARCH = 11, FIELD_FILTERKEY = 210;
    static final int OP_EQUAL = 0x40000000, OP_NOT_EQUAL = 0x30000000;
    static final String KEY = "hostql";

    static AuditRule syscalls(int arch, List<Integer> syscalls, int excludePid) {
        byte[] key = KEY.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(HEADER + key.length).order(ByteOrder.nativeOrder());
        int[] mask = new int[64];
        for (int nr : syscalls) mask[nr / 32] |= 1 << (nr % 32);
        int[][] f = {{FIELD_ARCH, arch, OP_EQUAL}, {FIELD_PID, excludePid, OP_NOT_EQUAL}, {FIELD_FILTERKEY, key.length, OP_EQUAL}};
        b.putInt(AUDIT_FILTER_EXIT).putInt(AUDIT_ALWAYS).putInt(f.length);
        for (int m : mask) b.putInt(m);
        for (int i = 0; i < 64; i++) b.putInt(i < f.length ? f[i][0] : 0);
        for (int i = 0; i < 64; i++) b.putInt(i < f.length ? f[i][1] : 0);
        for (int i = 0; i < 64; i++) b.putInt(i < f.length ? f[i][2] : 0);
        b.putInt(key.length).put(key);
        return new AuditRule(b.array());
    }

    /** A rule from an AUDIT_LIST_RULES reply payload. */
    static AuditRule decode(ByteBuffer b, int off, int len) {
        if (len < HEADER) throw new IllegalArgumentException("audit rule reply of " + len + " bytes, expected at least " + HEADER);
        int buflen = b.getInt(off + HEADER - 4);
        int total = Math.min(len, HEADER + Math.max(0, buflen));
        byte[] d = new byte[total];
        b.get(off, d, 0, total);
        return new AuditRule(d);
    }

    String base64() {
        return Base64.getEncoder().encodeToString(data);
    }

    static AuditRule fromBase64(String s) {
        return new AuditRule(Base64.getDecoder().decode(s));
    }

    /** The rule's filter key ("" when it has none). */
    String key() {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.nativeOrder());
        int count = b.getInt(8);
        int off = 0;
        for (int i = 0; i < Math.min(count, 64); i++) {
            int field = b.getInt(12 + 256 + 4 * i);
            int value = b.getInt(12 + 256 + 256 + 4 * i);
            if (field == FIELD_FILTERKEY) return new String(data, HEADER + off, Math.min(value, data.length - HEADER - off), StandardCharsets.UTF_8);
            if (isStringField(field)) off += value;
        }
        return "";
    }

    private static boolean isStringField(int field) {
        // AUDIT_WATCH 105, AUDIT_DIR 107, AUDIT_FILTERKEY 210, SUBJ_USER..OBJ_LEV_HIGH 13-17 and 19-23, EXE 112
        return field == 105 || field == 107 || field == 210 || field == 112 || (field >= 13 && field <= 17) || (field >= 19 && field <= 23);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuditRule r && Arrays.equals(data, r.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "AuditRule[" + data.length + " bytes, key " + key() + "]";
    }
}
