package io.hostql.sql;

import java.util.List;

/**
 * Rows of one statement. Values are Long, Double, String (text decoded as UTF-8), byte[] (blob) or null.
 */
public record QueryResult(List<String> columns, List<Object[]> rows) {
    /** A value as text, the way osquery prints it (NULL becomes the given text). */
    public static String text(Object v, String nullText) {
        if (v == null) return nullText;
        if (v instanceof byte[] b) return new String(b, java.nio.charset.StandardCharsets.UTF_8);
        if (v instanceof Double d) return formatDouble(d);
        return v.toString();
    }

    /** SQLite's rendering of a REAL (printf "%!.15g"): 1.0, 0.5, 1.0e+20. */
    public static String formatDouble(double d) {
        if (Double.isNaN(d)) return "";
        if (Double.isInfinite(d)) return d > 0 ? "Inf" : "-Inf";
        if (d == 0) return "0.0";
        java.math.BigDecimal b = new java.math.BigDecimal(d).round(new java.math.MathContext(15)).stripTrailingZeros();
        int exponent = b.precision() - b.scale() - 1;
        if (exponent < -4 || exponent >= 15) {
            String digits = b.unscaledValue().abs().toString();
            String mantissa = digits.charAt(0) + "." + (digits.length() > 1 ? digits.substring(1) : "0");
            return (d < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
        }
        String s = b.toPlainString();
        return s.contains(".") ? s : s + ".0";
    }
}
