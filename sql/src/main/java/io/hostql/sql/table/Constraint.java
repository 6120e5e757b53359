package io.hostql.sql.table;

/** One pushed-down constraint: {@code column op value}. value is Long, Double, String, byte[] (blob) or null. */
public record Constraint(ConstraintOp op, Object value) {
    public String text() {
        if (value == null) return null;
        if (value instanceof byte[] b) return new String(b, java.nio.charset.StandardCharsets.UTF_8);
        if (value instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) return Long.toString(d.longValue());
        return value.toString();
    }

    public Long asLong() {
        if (value instanceof Long l) return l;
        if (value instanceof Double d) return d.longValue();
        if (value instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }
}
